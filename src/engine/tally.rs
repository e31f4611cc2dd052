//! Tally: the mergeable counts behind a Summary.
use crate::engine::Summary;

pub struct Tally {}

impl Tally {
    /// Adds `other` (another organisation's report of the same day); distinct sets union exactly.
    pub fn merge(&mut self, _other: Tally) {
        todo!("engine")
    }
    pub fn summary(&self) -> Summary {
        todo!("engine")
    }
}
