//! The retail baseline's failures, lever by lever: snapshots of the patch sets, and
//! what genie-core's application of each set does to the weak space.

use genie_core::patch::{PatchOp, PatchSet};
use genie_core::space::{SnippetKind, SpaceUsage};
use genie_core::taxonomy::Lever;
use genie_core::workers::{Optimizer, Proposal};
use genie_optimizer::{Config, GenieOptimizer};

use crate::support::{applied, request};

async fn patch_set(lever: Lever) -> PatchSet {
    let report = GenieOptimizer::default()
        .propose_with_report(&request(lever))
        .await
        .unwrap();
    match report.proposal {
        Proposal::Patches { patch_set, .. } => patch_set,
        Proposal::Nothing { reason } => panic!("{lever}: nothing ({reason})"),
    }
}

#[tokio::test]
async fn lever_1_patch_set() {
    insta::assert_json_snapshot!(patch_set(Lever::UcMetadata).await);
}

#[tokio::test]
async fn lever_2_patch_set() {
    insta::assert_json_snapshot!(patch_set(Lever::MetricViews).await);
}

#[tokio::test]
async fn lever_6_patch_set() {
    insta::assert_json_snapshot!(patch_set(Lever::SpaceInstructions).await);
}

#[tokio::test]
async fn every_set_passes_the_check_applies_and_names_its_cluster() {
    for lever in [
        Lever::UcMetadata,
        Lever::MetricViews,
        Lever::SpaceInstructions,
    ] {
        let request = request(lever);
        let set = patch_set(lever).await;
        assert_eq!(set.lever, lever);
        assert!(
            set.check(&SpaceUsage::of(request.metadata.config()))
                .is_empty()
        );
        for patch in &set.patches {
            assert_eq!(patch.lever, lever, "{patch}");
            assert!(patch.cluster.is_some(), "{patch} names no cluster");
            assert!(!patch.fixes.is_empty(), "{patch} fixes nothing");
            assert!(!patch.rationale.is_empty());
            assert!(
                request.leakage.patch_leaks(patch).is_empty(),
                "{patch} leaks"
            );
        }
        applied(&request, &set);
    }
}

#[tokio::test]
async fn lever_1_decodes_codes_with_the_questions_words() {
    let request = request(Lever::UcMetadata);
    let space = applied(&request, &patch_set(Lever::UcMetadata).await);
    let orders = space.data_source("main.retail.ord_hdr").unwrap();
    let status = orders.column("sts_cd").unwrap();
    assert!(status.format_assistance() && status.entity_matching());
    let description = status.description_text();
    assert!(
        description.starts_with("status code."),
        "the prior description is kept: {description}"
    );
    for pair in ["`CNL` = cancellation / cancelled", "`PND` = pending"] {
        assert!(description.contains(pair), "{description}");
    }
    let customers = space.data_source("main.retail.cust_dim").unwrap();
    assert!(
        customers
            .column("cust_seg")
            .unwrap()
            .description_text()
            .contains("`ENT` = enterprise")
    );
    let lines = space.data_source("main.retail.ord_ln").unwrap();
    assert!(
        lines
            .column("qty")
            .unwrap()
            .synonyms()
            .contains(&"units".to_owned())
    );
    assert!(
        lines
            .column("disc_pct")
            .unwrap()
            .synonyms()
            .contains(&"discount".to_owned())
    );
}

#[tokio::test]
async fn lever_6_joins_on_the_ground_truths_keys_and_names_concepts_first() {
    let set = patch_set(Lever::SpaceInstructions).await;
    let first_example = set
        .patches
        .iter()
        .position(|patch| matches!(patch.op, PatchOp::AddExampleSql { .. }))
        .unwrap();
    let last_concept = set
        .patches
        .iter()
        .rposition(|patch| {
            matches!(
                patch.op,
                PatchOp::AddJoinSpec { .. } | PatchOp::AddSqlSnippet { .. }
            )
        })
        .unwrap();
    assert!(
        last_concept < first_example,
        "snippets and joins rank before examples"
    );
    let request = request(Lever::SpaceInstructions);
    let space = applied(&request, &set);
    let joins: Vec<String> = space
        .join_specs()
        .iter()
        .map(|spec| {
            format!(
                "{} {}",
                spec.condition(),
                spec.relationship_annotation().unwrap_or_default()
            )
        })
        .collect();
    assert!(
        joins.contains(
            &"`ord_ln`.`ord_id` = `ord_hdr`.`ord_id` --rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--"
                .to_owned()
        ),
        "{joins:?}"
    );
    let examples = space.example_question_sqls();
    assert!(!examples.is_empty());
    for example in examples {
        let sql = example.sql.joined();
        for parameter in example.parameters() {
            assert!(sql.contains(&format!(":{}", parameter.name)), "{sql}");
        }
        let markers = sql.matches(" :").count() + sql.matches("(:").count();
        assert_eq!(
            markers,
            example.parameters().len(),
            "every marker is declared: {sql}"
        );
    }
    let revenue = space
        .snippets(SnippetKind::Measure)
        .iter()
        .find(|snippet| snippet.alias.as_deref() == Some("revenue"))
        .unwrap();
    assert_eq!(
        revenue.sql.joined(),
        "SUM(ord_ln.amt_net) FILTER (WHERE ord_hdr.sts_cd = 'CMP')"
    );
    assert!(space.snippets(SnippetKind::Filter).iter().any(
        |snippet| snippet.display_name.as_deref() == Some("cancelled")
            && snippet.sql.joined() == "ord_hdr.sts_cd = 'CNL'"
    ));
}

#[tokio::test]
async fn levers_without_evidence_say_why() {
    let optimizer = GenieOptimizer::default();
    for (lever, expected) in [
        (Lever::Functions, "map to lever 3"),
        (Lever::MonitoringTables, "maps no failure type to lever 4"),
        (Lever::MlTables, "maps no failure type to lever 5"),
    ] {
        match optimizer
            .propose_with_report(&request(lever))
            .await
            .unwrap()
            .proposal
        {
            Proposal::Nothing { reason } => assert!(reason.contains(expected), "{lever}: {reason}"),
            Proposal::Patches { patch_set, .. } => panic!("{lever}: {patch_set:?}"),
        }
    }
}

#[tokio::test]
async fn the_same_request_gives_the_same_set_and_hash() {
    for lever in Lever::ALL {
        let a = GenieOptimizer::default()
            .propose_with_report(&request(lever))
            .await
            .unwrap();
        let mut shuffled = request(lever);
        let mut rows: Vec<_> = crate::support::failures().iter().cloned().collect();
        rows.reverse();
        shuffled.failures = rows
            .into_iter()
            .map(|row| genie_core::workers::TrainFailure::try_from(row).unwrap())
            .collect();
        let b = GenieOptimizer::default()
            .propose_with_report(&shuffled)
            .await
            .unwrap();
        let hash = |proposal: &Proposal| proposal.patch_set().map(PatchSet::content_hash);
        assert_eq!(
            hash(&a.proposal),
            hash(&b.proposal),
            "{lever} depends on row order"
        );
        assert_eq!(
            a,
            GenieOptimizer::default()
                .propose_with_report(&request(lever))
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn clusters_are_largest_first_with_stable_ids() {
    let report = GenieOptimizer::default()
        .propose_with_report(&request(Lever::UcMetadata))
        .await
        .unwrap();
    let sizes: Vec<usize> = report
        .clusters
        .iter()
        .map(|c| c.question_ids.len())
        .collect();
    assert!(sizes.windows(2).all(|pair| pair[0] >= pair[1]), "{sizes:?}");
    for cluster in &report.clusters {
        assert_eq!(
            cluster.id,
            genie_core::patch::ClusterId::of(cluster.failure_type, &cluster.blame_set)
        );
    }
    let repeatability_free = report.clusters.iter().all(|cluster| {
        cluster.lever
            == cluster
                .failure_type
                .levers(genie_core::benchmark::AssetType::Table)[0]
    });
    assert!(repeatability_free);
}

#[tokio::test]
async fn exclusions_are_proposed_only_when_asked() {
    async fn hidden(config: Config) -> usize {
        let optimizer = GenieOptimizer::builder().config(config).build();
        match optimizer
            .propose_with_report(&request(Lever::UcMetadata))
            .await
            .unwrap()
            .proposal
        {
            Proposal::Patches { patch_set, .. } => patch_set
                .patches
                .iter()
                .filter(|patch| matches!(patch.op, PatchOp::SetColumnExclude { value: true, .. }))
                .count(),
            Proposal::Nothing { .. } => 0,
        }
    }
    assert_eq!(hidden(Config::default()).await, 0);
    assert!(
        hidden(Config {
            exclusion_min_failures: 4,
            ..Config::default()
        })
        .await
            > 0
    );
}

#[tokio::test]
async fn the_trait_answers_the_reports_proposal() {
    let optimizer = GenieOptimizer::default();
    let request = request(Lever::SpaceInstructions);
    let proposal = optimizer.propose(&request).await.unwrap();
    assert_eq!(
        proposal,
        optimizer
            .propose_with_report(&request)
            .await
            .unwrap()
            .proposal
    );
}
