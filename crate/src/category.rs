//! The eleven harm categories and the four actions, with their stable ids.
//!
//! The ids are a public interface: the CLI prints them, the extension stores
//! them in the parent's activity log, schools write them in policy files.
//! Never rename one; add new categories at the end.

use std::fmt;

/// What a text or URL can be harmful for. The discriminant is the index
/// into per-category arrays (`[T; Category::COUNT]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Sexual = 0,
    Violence,
    SelfHarm,
    Drugs,
    Gambling,
    Weapons,
    Hate,
    Harassment,
    Profanity,
    Scam,
    Grooming,
}

impl Category {
    pub const COUNT: usize = 11;
    pub const ALL: [Category; Category::COUNT] = [
        Category::Sexual,
        Category::Violence,
        Category::SelfHarm,
        Category::Drugs,
        Category::Gambling,
        Category::Weapons,
        Category::Hate,
        Category::Harassment,
        Category::Profanity,
        Category::Scam,
        Category::Grooming,
    ];

    /// The stable id used everywhere outside the engine.
    pub fn id(self) -> &'static str {
        match self {
            Category::Sexual => "sexual",
            Category::Violence => "violence",
            Category::SelfHarm => "self-harm",
            Category::Drugs => "drugs",
            Category::Gambling => "gambling",
            Category::Weapons => "weapons",
            Category::Hate => "hate",
            Category::Harassment => "harassment",
            Category::Profanity => "profanity",
            Category::Scam => "scam",
            Category::Grooming => "grooming",
        }
    }

    pub fn from_id(id: &str) -> Option<Category> {
        Category::ALL.iter().copied().find(|c| c.id() == id)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What the extension does, weakest to strongest. `Ord` follows that order,
/// so the strongest of several actions is their `max`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    #[default]
    Allow,
    Warn,
    Blur,
    Block,
}

impl Action {
    pub const ALL: [Action; 4] = [Action::Allow, Action::Warn, Action::Blur, Action::Block];

    pub fn id(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Warn => "warn",
            Action::Blur => "blur",
            Action::Block => "block",
        }
    }

    pub fn from_id(id: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.id() == id)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_stable() {
        let ids: Vec<&str> = Category::ALL.iter().map(|c| c.id()).collect();
        assert_eq!(
            ids,
            [
                "sexual",
                "violence",
                "self-harm",
                "drugs",
                "gambling",
                "weapons",
                "hate",
                "harassment",
                "profanity",
                "scam",
                "grooming"
            ]
        );
        for c in Category::ALL {
            assert_eq!(Category::from_id(c.id()), Some(c));
            assert_eq!(Category::ALL[c.index()], c);
        }
        assert_eq!(Category::from_id("porn"), None);
    }

    #[test]
    fn the_domain_table_uses_the_same_ids_in_the_same_bit_order() {
        let ids: Vec<&str> = Category::ALL.iter().map(|c| c.id()).collect();
        assert_eq!(ids, crate::domains::CATEGORY_IDS);
    }

    #[test]
    fn actions_are_ordered_weakest_to_strongest() {
        assert!(Action::Allow < Action::Warn);
        assert!(Action::Warn < Action::Blur);
        assert!(Action::Blur < Action::Block);
        for a in Action::ALL {
            assert_eq!(Action::from_id(a.id()), Some(a));
        }
    }
}
