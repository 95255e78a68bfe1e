//! The Genie benchmark eval-run API (`…/spaces/{id}/eval-runs`): a run asks each of the
//! space's benchmark questions as the conversation API does, runs the benchmark's
//! expected SQL, and judges the two results with genie-core's comparison. Everything
//! is computed when the run is created; its status then advances with time.

mod assessment;
mod handlers;
mod progress;
mod render;
mod running;
mod store;

pub(crate) use handlers::{create, get, list, list_results, result_details};
pub(crate) use store::EvalRunStore;
