//! Age groups and their profiles: a threshold and an action per category.
//! The defaults live in `data/profiles.txt`, a table a teacher can read.

use crate::category::{Action, Category};
use std::fmt;

/// The four age groups: preschool and the Vietnamese school levels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Age {
    Preschool = 0,
    #[default]
    Primary,
    LowerSecondary,
    UpperSecondary,
}

impl Age {
    pub const ALL: [Age; 4] = [
        Age::Preschool,
        Age::Primary,
        Age::LowerSecondary,
        Age::UpperSecondary,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Age::Preschool => "0-5",
            Age::Primary => "6-10",
            Age::LowerSecondary => "11-14",
            Age::UpperSecondary => "15-17",
        }
    }

    pub fn from_id(id: &str) -> Option<Age> {
        Age::ALL.iter().copied().find(|a| a.id() == id)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Age {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What to do for one age group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub age: Age,
    /// Score at which a category's action applies, per category.
    pub thresholds: [i32; Category::COUNT],
    pub actions: [Action; Category::COUNT],
    /// Score at which a `grooming` or `scam` message gets a warning beside
    /// it (the `alert` row; the threshold when the row is absent).
    pub alert_threshold: i32,
}

/// All four profiles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profiles {
    pub by_age: [Profile; 4],
}

impl Profiles {
    pub fn get(&self, age: Age) -> &Profile {
        &self.by_age[age.index()]
    }

    /// Parses the table format of `data/profiles.txt`.
    pub fn parse(text: &str) -> Result<Profiles, String> {
        let mut thresholds: Option<[i32; 4]> = None;
        let mut alerts: Option<[i32; 4]> = None;
        let mut actions: [[Option<Action>; Category::COUNT]; 4] = [[None; Category::COUNT]; 4];
        for (n, line) in text.lines().enumerate() {
            let line = crate::normalize::strip_comment(line).trim();
            if line.is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split_whitespace().collect();
            let err = |m: String| format!("profiles line {}: {m}", n + 1);
            if cols.len() != 5 {
                return Err(err(format!(
                    "expected a name and 4 columns (0-5 6-10 11-14 15-17), found {}",
                    cols.len() - 1
                )));
            }
            if cols[0] == "threshold" || cols[0] == "alert" {
                let mut t = [0; 4];
                for (i, v) in cols[1..].iter().enumerate() {
                    t[i] = v.parse().ok().filter(|v| *v > 0).ok_or_else(|| {
                        err(format!("{} `{v}` must be a positive number", cols[0]))
                    })?;
                }
                if cols[0] == "threshold" {
                    thresholds = Some(t);
                } else {
                    alerts = Some(t);
                }
                continue;
            }
            let c = Category::from_id(cols[0])
                .ok_or_else(|| err(format!("unknown category `{}`", cols[0])))?;
            for (i, v) in cols[1..].iter().enumerate() {
                actions[i][c.index()] =
                    Some(Action::from_id(v).ok_or_else(|| err(format!("unknown action `{v}`")))?);
            }
        }
        let thresholds = thresholds.ok_or("profiles: missing the `threshold` row")?;
        let mut by_age = Vec::with_capacity(4);
        for age in Age::ALL {
            let mut a = [Action::Allow; Category::COUNT];
            for c in Category::ALL {
                a[c.index()] = actions[age.index()][c.index()]
                    .ok_or_else(|| format!("profiles: no row for `{c}`"))?;
            }
            by_age.push(Profile {
                age,
                thresholds: [thresholds[age.index()]; Category::COUNT],
                actions: a,
                alert_threshold: alerts.unwrap_or(thresholds)[age.index()],
            });
        }
        Ok(Profiles {
            by_age: by_age.try_into().expect("four ages"),
        })
    }

    /// The profiles compiled into the binary.
    pub fn defaults() -> Profiles {
        Profiles::parse(include_str!("../data/profiles.txt"))
            .expect("data/profiles.txt is valid (checked by tests)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_are_defensible() {
        let p = Profiles::defaults();
        for age in Age::ALL {
            let prof = p.get(age);
            // Sexual content and gambling are blocked at every age.
            assert_eq!(prof.actions[Category::Sexual.index()], Action::Block);
            assert_eq!(prof.actions[Category::Gambling.index()], Action::Block);
            assert_eq!(prof.actions[Category::SelfHarm.index()], Action::Block);
        }
        // Crime news is not blocked for a 14-year-old.
        assert!(p.get(Age::LowerSecondary).actions[Category::Violence.index()] < Action::Blur);
        // Thresholds rise with age.
        let t: Vec<i32> = Age::ALL.iter().map(|a| p.get(*a).thresholds[0]).collect();
        assert!(t.windows(2).all(|w| w[0] < w[1]), "{t:?}");
    }

    #[test]
    fn age_ids() {
        for a in Age::ALL {
            assert_eq!(Age::from_id(a.id()), Some(a));
        }
        assert_eq!(Age::default(), Age::Primary);
        assert_eq!(Age::from_id("18+"), None);
    }

    #[test]
    fn bad_tables_are_rejected() {
        assert!(Profiles::parse("threshold 1 2 3\n")
            .unwrap_err()
            .contains("4 columns"));
        assert!(
            Profiles::parse("threshold 1 2 3 4\nsexual block block block nuke\n")
                .unwrap_err()
                .contains("unknown action")
        );
        assert!(Profiles::parse("threshold 1 2 3 4\n")
            .unwrap_err()
            .contains("no row"));
    }
}
