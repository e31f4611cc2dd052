//! `Names`: column and attribute names in the order first seen, each once, found by a hash lookup, so that
//! merging snapshots of thousands of names costs their number, not its square.

use foldhash::fast::FixedState;
use hashbrown::HashTable;
use std::hash::BuildHasher;

use crate::engine::seed::hash_seed;

#[derive(Clone)]
pub struct Names {
    list: Vec<String>,
    /// Places in `list`, by the hash of the name there.
    places: HashTable<usize>,
    /// Keyed with the per-process seed: names come from reports and snapshots.
    hasher: FixedState,
}

impl Default for Names {
    fn default() -> Self {
        Names {
            list: Vec::new(),
            places: HashTable::new(),
            hasher: FixedState::with_seed(hash_seed()),
        }
    }
}

impl Names {
    /// The place of `name`, adding it last if new, and whether it was.
    pub fn place(&mut self, name: &str) -> (usize, bool) {
        let Names { list, places, hasher } = self;
        let hash = hasher.hash_one(name);
        if let Some(&at) = places.find(hash, |&at| list[at] == name) {
            return (at, false);
        }
        list.push(name.to_string());
        let at = list.len() - 1;
        places.insert_unique(hash, at, |&at| hasher.hash_one(&list[at]));
        (at, true)
    }

    pub fn contains(&self, name: &str) -> bool {
        let hash = self.hasher.hash_one(name);
        self.places.find(hash, |&at| self.list[at] == name).is_some()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// How many of `names` are not here: what adding them would add.
    pub fn unseen(&self, names: &Names) -> usize {
        names.iter().filter(|name| !self.contains(name)).count()
    }

    pub fn iter(&self) -> impl Iterator<Item = &String> {
        self.list.iter()
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.list.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_name_keeps_its_first_place() {
        let mut names = Names::default();
        assert_eq!(names.place("b"), (0, true));
        assert_eq!(names.place("a"), (1, true));
        assert_eq!(names.place("b"), (0, false));
        assert_eq!(names.to_vec(), ["b", "a"]);
        let mut other = Names::default();
        other.place("a");
        other.place("c");
        assert_eq!(names.unseen(&other), 1);
    }
}
