//! The run's spaces: clones found or made, copies between them, the promotion to
//! production, exports to the bundle, clean-up.

use genie_core::ports::{BundleFile, NewSpace};
use genie_core::space::{ConfigDiff, SpaceId};
use genie_core::workers::{
    BundleWrite, CleanUp, CloneRequest, ClonedSpace, CopyRecord, DevCopy, DevSpace, DevSpaces,
    ExportRequest, PromotionRecord, PromotionRequest,
};
use tokio::time::Instant;

use crate::applier::GenieApplier;
use crate::bundle;
use crate::error::{ApplierError, port};
use crate::remote;

/// A clone's title: the source's, the run, and the clone's suffix.
pub(crate) fn clone_title(source_title: &str, run_id: &str, clone: DevSpace) -> String {
    let suffix = match clone {
        DevSpace::Best => "_dev_best",
        DevSpace::Working => "_dev_working",
    };
    format!("{source_title} [{run_id}]{suffix}")
}

pub(crate) async fn clone_space(
    applier: &GenieApplier,
    request: &CloneRequest,
) -> Result<ClonedSpace, ApplierError> {
    let genie = applier.genie.as_ref();
    let source = remote::read(genie, &request.source).await?;
    let source_title = source
        .space
        .title
        .clone()
        .unwrap_or_else(|| request.source.to_string());
    let title = clone_title(&source_title, &request.run_id, request.clone);
    let listed = genie
        .list_spaces()
        .await
        .map_err(port("listing spaces to find the run's clones"))?;
    let found: Vec<String> = listed
        .into_iter()
        .filter(|space| space.title == title && space.space_id != request.source.as_str())
        .map(|space| space.space_id)
        .collect();
    match found.as_slice() {
        [] => {}
        [space_id] => {
            let space_id = SpaceId::new(space_id.as_str());
            let clone = remote::read(genie, &space_id).await?;
            tracing::info!(space = %space_id, title, "found the run's clone");
            return Ok(ClonedSpace {
                space_id,
                title,
                created: false,
                config_hash: clone.hash,
            });
        }
        _ => {
            return Err(ApplierError::DuplicateClones { title, ids: found });
        }
    }
    let warehouse_id =
        source
            .space
            .warehouse_id
            .clone()
            .ok_or_else(|| ApplierError::NoWarehouse {
                space_id: request.source.clone(),
            })?;
    let created = genie
        .create_space(&NewSpace {
            title: title.clone(),
            description: Some(format!(
                "genie-optimizer clone of space `{}` for run `{}`; production is never written \
                 during a run, and this clone can be trashed when the run is done",
                request.source, request.run_id
            )),
            warehouse_id,
            parent_path: source.space.parent_path.clone(),
            config: source.config.clone(),
        })
        .await
        .map_err(port(format!(
            "creating the clone `{title}` of space `{}`",
            request.source
        )))?;
    let space_id = SpaceId::new(created.space_id.clone().unwrap_or_default());
    let clone = remote::wait_visible(
        genie,
        &applier.config,
        &space_id,
        &source.hash,
        Instant::now(),
    )
    .await?;
    tracing::info!(space = %space_id, title, "clone created");
    Ok(ClonedSpace {
        space_id,
        title,
        created: true,
        config_hash: clone.hash,
    })
}

pub(crate) async fn diff_spaces(
    applier: &GenieApplier,
    from: &SpaceId,
    to: &SpaceId,
) -> Result<ConfigDiff, ApplierError> {
    let genie = applier.genie.as_ref();
    let from = remote::read(genie, from).await?;
    let to = remote::read(genie, to).await?;
    Ok(ConfigDiff::between(&to.config, &from.config))
}

pub(crate) async fn copy_config(
    applier: &GenieApplier,
    spaces: &DevSpaces,
    copy: DevCopy,
) -> Result<CopyRecord, ApplierError> {
    let genie = applier.genie.as_ref();
    let (from_id, to_id) = (spaces.get(copy.from()), spaces.get(copy.to()));
    let from = remote::read(genie, from_id).await?;
    let to = remote::read(genie, to_id).await?;
    let diff = ConfigDiff::between(&to.config, &from.config);
    tracing::info!(from = %from_id, to = %to_id, changes = diff.changes.len(), "copying config:\n{diff}");
    if from.hash != to.hash {
        let written_at = Instant::now();
        remote::write(
            genie,
            &applier.config,
            to_id,
            &to.hash,
            to.etag(),
            &from.config,
        )
        .await?;
        remote::wait_visible(genie, &applier.config, to_id, &from.hash, written_at).await?;
    }
    Ok(CopyRecord {
        from: from_id.clone(),
        to: to_id.clone(),
        config_hash_before: to.hash,
        config_hash_after: from.hash,
        diff,
    })
}

pub(crate) async fn promote(
    applier: &GenieApplier,
    request: &PromotionRequest,
) -> Result<PromotionRecord, ApplierError> {
    let genie = applier.genie.as_ref();
    let production = request.spaces.production();
    let refused = |reason: String| ApplierError::PromotionRefused {
        production: production.clone(),
        reason,
    };
    let from_id = request.spaces.get(request.from);
    let from = remote::read(genie, from_id).await?;
    if from.hash != request.approved_config_hash {
        return Err(refused(format!(
            "clone `{from_id}` holds config `{}`, not the approved `{}`",
            from.hash, request.approved_config_hash
        )));
    }
    let current = remote::read(genie, production).await?;
    if current.hash != request.production_base.config_hash {
        return Err(refused(format!(
            "production holds config `{}`, not `{}` the run started from: someone changed it \
             since, and their change is not overwritten",
            current.hash, request.production_base.config_hash
        )));
    }
    let diff = ConfigDiff::between(&current.config, &from.config);
    tracing::info!(
        production = %production,
        from = %from_id,
        approved_by = request.approval.approved_by(),
        changes = diff.changes.len(),
        "promoting to production:\n{diff}"
    );
    if current.hash != from.hash {
        let written_at = Instant::now();
        remote::write(
            genie,
            &applier.config,
            production,
            &current.hash,
            current.etag(),
            &from.config,
        )
        .await?;
        remote::wait_visible(genie, &applier.config, production, &from.hash, written_at).await?;
    }
    Ok(PromotionRecord {
        production: production.clone(),
        config_hash_before: current.hash,
        config_hash_after: from.hash,
        approved_by: request.approval.approved_by().to_owned(),
        promoted_at_ms: request.now_ms,
        diff,
    })
}

pub(crate) async fn export(
    applier: &GenieApplier,
    request: &ExportRequest,
) -> Result<BundleWrite, ApplierError> {
    let space = remote::read(applier.genie.as_ref(), &request.space_id).await?;
    let repo = applier.bundle.as_ref();
    let files = bundle::plan(
        repo,
        &applier.config.layout,
        &request.domain,
        Some(&space.config),
        &[],
        &genie_core::catalog::CatalogSnapshot::default(),
    )
    .await?;
    if files.is_empty() {
        let path = applier
            .config
            .layout
            .path(&request.domain, &BundleFile::SpaceExport)
            .unwrap_or_default();
        tracing::info!(path, "the bundle's export already holds the space's config");
    }
    let diff_before = bundle::diff_before(repo).await;
    if let Err((written, error)) = bundle::write(repo, &files).await {
        bundle::restore(repo, &files[..=written.min(files.len().saturating_sub(1))]).await?;
        return Err(error);
    }
    match bundle::verify(repo, files.clone(), diff_before.as_deref()).await {
        Ok(write) => Ok(write),
        Err(error) => {
            bundle::restore(repo, &files).await?;
            Err(error)
        }
    }
}

pub(crate) async fn clean_up(
    applier: &GenieApplier,
    spaces: &DevSpaces,
    choice: CleanUp,
) -> Result<Vec<SpaceId>, ApplierError> {
    match choice {
        CleanUp::Keep => {
            tracing::info!(best = %spaces.best(), working = %spaces.working(), "clones kept");
            Ok(Vec::new())
        }
        CleanUp::Trash => {
            let mut trashed = Vec::new();
            for clone in [spaces.working(), spaces.best()] {
                match applier.genie.trash_space(clone.as_str()).await {
                    Ok(()) => trashed.push(clone.clone()),
                    Err(error) if error.kind == genie_core::error::PortErrorKind::NotFound => {
                        tracing::info!(space = %clone, "clone already gone");
                    }
                    Err(error) => {
                        return Err(ApplierError::Port {
                            action: format!("trashing clone `{clone}`"),
                            source: error,
                        });
                    }
                }
            }
            tracing::info!(?trashed, "clones trashed");
            Ok(trashed)
        }
    }
}
