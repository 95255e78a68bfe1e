//! Property: random patch sets on random valid spaces, applied and rolled back, leave
//! the canonical config byte-identical (and Unity Catalog and the bundle as they were);
//! a failure injected at any step leaves nothing applied.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use genie_applier::FileBundleRepo;
use genie_core::catalog::CatalogSnapshot;
use genie_core::error::{PortError, PortErrorKind};
use genie_core::evaluation::Answer;
use genie_core::patch::{ColumnTarget, PatchOp, UcObject, apply_patch_set};
use genie_core::ports::{GenieApi, NewSpace, SpaceSummary, Warehouse};
use genie_core::space::{GenieSpace, SpaceConfig, SpaceId};
use genie_core::workers::{Applier, DevSpaces, RollbackRequest, UcWrites};
use genie_sandbox::server::{Faults, WAREHOUSE_ID};
use proptest::prelude::*;

use crate::support::*;

/// A Genie client whose next `update_space` fails before reaching the server.
struct FailingUpdate {
    inner: Arc<dyn GenieApi>,
    fail_next: AtomicBool,
}

#[async_trait]
impl GenieApi for FailingUpdate {
    async fn list_spaces(&self) -> Result<Vec<SpaceSummary>, PortError> {
        self.inner.list_spaces().await
    }
    async fn get_space(&self, space_id: &str) -> Result<GenieSpace, PortError> {
        self.inner.get_space(space_id).await
    }
    async fn create_space(&self, space: &NewSpace) -> Result<GenieSpace, PortError> {
        self.inner.create_space(space).await
    }
    async fn update_space(
        &self,
        space_id: &str,
        config: &SpaceConfig,
        etag: Option<&str>,
    ) -> Result<GenieSpace, PortError> {
        if self.fail_next.swap(false, Ordering::SeqCst) {
            return Err(PortError::new(
                PortErrorKind::Unavailable,
                "injected: 503 TEMPORARILY_UNAVAILABLE",
            ));
        }
        self.inner.update_space(space_id, config, etag).await
    }
    async fn trash_space(&self, space_id: &str) -> Result<(), PortError> {
        self.inner.trash_space(space_id).await
    }
    async fn ask(&self, space_id: &str, question: &str) -> Result<Answer, PortError> {
        self.inner.ask(space_id, question).await
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    Statement,
    SpaceWrite,
    BundleWrite,
}

const TABLES: [&str; 6] = [
    "cust_dim", "ord_hdr", "ord_ln", "prod_dim", "rtn_ln", "str_dim",
];
const COLUMNS: [(&str, &str); 6] = [
    ("ord_hdr", "sts_cd"),
    ("ord_hdr", "chnl"),
    ("str_dim", "rgn_cd"),
    ("prod_dim", "cat_cd"),
    ("cust_dim", "cust_seg"),
    ("ord_ln", "qty"),
];

fn column(index: usize) -> ColumnTarget {
    ColumnTarget {
        table: format!("main.retail.{}", COLUMNS[index].0),
        column: COLUMNS[index].1.to_owned(),
    }
}

/// Patch templates with distinct targets, filled with `word`.
fn templates(word: &str) -> Vec<PatchOp> {
    let mut ops = Vec::new();
    for (index, table) in TABLES.iter().enumerate() {
        ops.push(PatchOp::SetTableDescription {
            target: format!("main.retail.{table}"),
            value: format!("{word} table {index}"),
        });
    }
    for index in 0..COLUMNS.len() {
        ops.push(PatchOp::SetColumnDescription {
            target: column(index),
            value: format!("{word} column"),
        });
    }
    ops.push(PatchOp::AddColumnSynonym {
        target: ColumnTarget {
            table: "main.retail.ord_ln".to_owned(),
            column: "amt_net".to_owned(),
        },
        value: word.to_owned(),
    });
    ops.push(PatchOp::EnableExampleValues {
        target: ColumnTarget {
            table: "main.retail.str_dim".to_owned(),
            column: "city".to_owned(),
        },
        value: true,
    });
    ops.push(PatchOp::AddExampleSql {
        question: format!("How many {word} orders?"),
        sql: "SELECT COUNT(*) FROM main.retail.ord_hdr".to_owned(),
        usage_guidance: None,
        parameters: Vec::new(),
    });
    ops.push(PatchOp::AddSampleQuestion {
        value: format!("What about {word}?"),
    });
    for table in ["ord_ln", "prod_dim"] {
        ops.push(PatchOp::SetUcComment {
            target: UcObject::Table {
                identifier: format!("main.retail.{table}"),
            },
            value: format!("{word} {table}"),
        });
    }
    ops.push(PatchOp::SetUcTag {
        target: UcObject::Table {
            identifier: "main.retail.str_dim".to_owned(),
        },
        key: "domain".to_owned(),
        value: word.to_owned(),
    });
    ops
}

/// A random valid space: production with some of the templates applied.
fn random_space(setup: &[usize], word: &str) -> SpaceConfig {
    let ops: Vec<PatchOp> = setup
        .iter()
        .map(|index| templates(word)[*index].clone())
        .filter(|op| !op.is_uc_change())
        .collect();
    let base = production_config();
    match apply_patch_set(
        &base,
        &CatalogSnapshot::default(),
        &set(ops),
        1_700_000_000_000,
    ) {
        Ok(application) => application.config,
        Err(_) => base.canonicalized(),
    }
}

async fn comments(warehouse: &dyn Warehouse) -> Vec<Option<String>> {
    let mut all = Vec::new();
    for table in TABLES {
        all.push(table_comment(warehouse, table).await);
    }
    all
}

async fn case(
    server: &genie_sandbox::server::RunningSandbox,
    setup: Vec<usize>,
    chosen: Vec<usize>,
    live: bool,
    failure: Option<Failure>,
    seed: u32,
) {
    let dir = TempDir::new("property");
    dir.git_init(&[]);
    let real = genie(server);
    let space = random_space(&setup, &format!("w{seed}"));
    let created = real
        .create_space(&NewSpace {
            title: format!("prop {seed}"),
            description: None,
            warehouse_id: WAREHOUSE_ID.to_owned(),
            parent_path: None,
            config: space,
        })
        .await
        .unwrap();
    let working = SpaceId::new(created.space_id.unwrap());
    let spaces = DevSpaces::new(
        SpaceId::new(PRODUCTION),
        SpaceId::new("01f0ee0000000000000000000000beef"),
        working.clone(),
    )
    .unwrap();
    let genie_client = Arc::new(FailingUpdate {
        inner: real.clone(),
        fail_next: AtomicBool::new(failure == Some(Failure::SpaceWrite)),
    });
    let real_warehouse = warehouse(server);
    let warehouse: Arc<dyn Warehouse> = if failure == Some(Failure::Statement) {
        Arc::new(FailingDdl {
            inner: real_warehouse.clone(),
            needle: "`str_dim`".to_owned(),
        })
    } else {
        real_warehouse.clone()
    };
    let bundle: Arc<dyn genie_core::ports::BundleRepo> = if failure == Some(Failure::BundleWrite) {
        Arc::new(FailingWrite {
            inner: FileBundleRepo::new(dir.bundle()),
            needle: "retail".to_owned(),
        })
    } else {
        Arc::new(FileBundleRepo::new(dir.bundle()))
    };
    let applier = applier_with(genie_client, warehouse, bundle, config(&dir));
    let word = format!("p{seed}");
    let all = templates(&word);
    let ops: Vec<PatchOp> = chosen.iter().map(|index| all[*index].clone()).collect();
    let before = canonical(real.as_ref(), working.as_str()).await;
    let comments_before = comments(real_warehouse.as_ref()).await;
    let uc = if live {
        UcWrites::ExecuteLive
    } else {
        UcWrites::EmitToBundle
    };
    let request = request(real.as_ref(), &spaces, set(ops.clone()), uc).await;
    match applier.apply(&request).await {
        Ok(log) => {
            let failure_could_fire = match failure {
                None => false,
                Some(Failure::Statement) => {
                    live && ops.iter().any(|op| matches!(op, PatchOp::SetUcTag { .. }))
                }
                Some(Failure::SpaceWrite) => log.config_hash_after != log.config_hash_before,
                Some(Failure::BundleWrite) => log
                    .bundle
                    .as_ref()
                    .is_some_and(|bundle| !bundle.files.is_empty()),
            };
            assert!(
                !failure_could_fire,
                "{failure:?} was injected into a step the set uses, yet it applied"
            );
            let restored = applier
                .rollback(&RollbackRequest {
                    spaces: spaces.clone(),
                    log: log.clone(),
                })
                .await
                .expect("rolls back");
            assert_eq!(restored, log.config_hash_before);
        }
        Err(failure_found) => {
            assert!(
                failure.is_some() || failure_found.partial.applied.is_empty(),
                "an uninjected failure: {}",
                failure_found.source
            );
            if failure.is_none() {
                // A refused set (a patch that does not apply to this space) did nothing.
                let message = format!("{:?}", failure_found.source);
                assert!(message.contains("Refused"), "{message}");
            }
            assert!(
                failure_found.partial.applied.is_empty(),
                "something is left: {:?}",
                failure_found.partial.applied
            );
        }
    }
    assert_eq!(
        canonical(real.as_ref(), working.as_str()).await,
        before,
        "byte-identical canonical config"
    );
    assert_eq!(
        comments(real_warehouse.as_ref()).await,
        comments_before,
        "Unity Catalog as before"
    );
    assert_eq!(
        git(&dir.bundle(), &["status", "--porcelain"]),
        "",
        "the bundle as committed"
    );
}

#[test]
fn applied_and_rolled_back_or_failed_sets_leave_nothing() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(sandbox(Faults::default()));
    let count = templates("x").len();
    let mut config = ProptestConfig::with_cases(24);
    config.failure_persistence = None;
    proptest!(config, |(
        setup in proptest::sample::subsequence((0..count).collect::<Vec<_>>(), 0..6),
        chosen in proptest::sample::subsequence((0..count).collect::<Vec<_>>(), 1..6),
        live in any::<bool>(),
        failure in prop_oneof![Just(None), Just(Some(Failure::Statement)), Just(Some(Failure::SpaceWrite)), Just(Some(Failure::BundleWrite))],
        seed in 0u32..1_000_000,
    )| {
        runtime.block_on(case(&server, setup, chosen, live, failure, seed));
    });
    runtime.block_on(server.shutdown());
}
