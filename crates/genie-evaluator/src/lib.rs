//! The evaluator worker (not built yet).
//!
//! Will implement `genie_core::workers::Evaluator`: ask Genie every question, run
//! both SQLs, judge them (DESIGN §5) and produce an `EvalReport` with the failure
//! type, blame set and counterfactual fix of every failing row. Until then this
//! crate exports nothing, so nothing can mistake it for working.
