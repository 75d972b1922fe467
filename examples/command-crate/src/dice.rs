//! Dice expressions: `NdM`, optionally `+K` or `-K` (`2d6`, `1d20+5`, `4d8-2`).

use std::fmt;

/// Most dice one expression may roll (keeps replies under Discord's 2000 characters).
pub const MAX_DICE: u32 = 50;
/// Most faces a die may have.
pub const MAX_FACES: u32 = 1000;
/// Largest modifier, either way.
pub const MAX_MODIFIER: i64 = 10_000;

/// Why an expression was refused; the message is shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiceError {
    /// Not of the form `NdM[+K|-K]`.
    #[error("write it like `2d6`, `1d20+5` or `4d8-2`")]
    Syntax,
    /// Too few or too many dice.
    #[error("roll between 1 and {MAX_DICE} dice")]
    DiceCount,
    /// A die needs at least 2 faces.
    #[error("dice need between 2 and {MAX_FACES} faces")]
    Faces,
    /// The modifier is out of range.
    #[error("the modifier must be within ±{MAX_MODIFIER}")]
    Modifier,
}

/// A validated dice expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dice {
    /// How many dice.
    pub count: u32,
    /// Faces per die.
    pub faces: u32,
    /// Added to the sum.
    pub modifier: i64,
}

/// The outcome of one roll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roll {
    /// Each die's face, in order.
    pub faces: Vec<u32>,
    /// The expression's modifier.
    pub modifier: i64,
    /// Sum of the faces plus the modifier.
    pub total: i64,
}

impl Dice {
    /// Parses and validates `input` (spaces and case are ignored; `d6` means `1d6`).
    pub fn parse(input: &str) -> Result<Self, DiceError> {
        let text: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        let (count, rest) = text.split_once('d').ok_or(DiceError::Syntax)?;
        let count: u32 = if count.is_empty() {
            1
        } else {
            count.parse().map_err(|_| DiceError::Syntax)?
        };
        let sign_at = rest.find(['+', '-']);
        let (faces, modifier) = match sign_at {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        let faces: u32 = faces.parse().map_err(|_| DiceError::Syntax)?;
        let modifier: i64 = match modifier {
            "" => 0,
            m => m.parse().map_err(|_| DiceError::Syntax)?,
        };
        if !(1..=MAX_DICE).contains(&count) {
            return Err(DiceError::DiceCount);
        }
        if !(2..=MAX_FACES).contains(&faces) {
            return Err(DiceError::Faces);
        }
        if modifier.abs() > MAX_MODIFIER {
            return Err(DiceError::Modifier);
        }
        Ok(Self {
            count,
            faces,
            modifier,
        })
    }

    /// Rolls with `rng` (seed it in tests for a fixed outcome).
    #[must_use]
    pub fn roll(&self, rng: &mut fastrand::Rng) -> Roll {
        let faces: Vec<u32> = (0..self.count).map(|_| rng.u32(1..=self.faces)).collect();
        let total = faces.iter().map(|f| i64::from(*f)).sum::<i64>() + self.modifier;
        Roll {
            faces,
            modifier: self.modifier,
            total,
        }
    }
}

impl fmt::Display for Dice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}d{}", self.count, self.faces)?;
        match self.modifier {
            0 => Ok(()),
            m if m > 0 => write!(f, "+{m}"),
            m => write!(f, "{m}"),
        }
    }
}

impl fmt::Display for Roll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let faces: Vec<String> = self.faces.iter().map(ToString::to_string).collect();
        write!(f, "[{}]", faces.join(", "))?;
        match self.modifier {
            0 => {}
            m if m > 0 => write!(f, " + {m}")?,
            m => write!(f, " - {}", m.unsigned_abs())?,
        }
        write!(f, " = **{}**", self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_usual_forms() {
        assert_eq!(
            Dice::parse("2d6").unwrap(),
            Dice {
                count: 2,
                faces: 6,
                modifier: 0
            }
        );
        assert_eq!(Dice::parse(" 1D20 + 5 ").unwrap().modifier, 5);
        assert_eq!(Dice::parse("4d8-2").unwrap().to_string(), "4d8-2");
        assert_eq!(Dice::parse("d12").unwrap().count, 1);
    }

    #[test]
    fn refuses_what_is_not_dice_or_out_of_range() {
        assert_eq!(Dice::parse("hello"), Err(DiceError::Syntax));
        assert_eq!(Dice::parse("2d"), Err(DiceError::Syntax));
        assert_eq!(Dice::parse("2d6+"), Err(DiceError::Syntax));
        assert_eq!(Dice::parse("0d6"), Err(DiceError::DiceCount));
        assert_eq!(Dice::parse("51d6"), Err(DiceError::DiceCount));
        assert_eq!(Dice::parse("1d1"), Err(DiceError::Faces));
        assert_eq!(Dice::parse("1d6+10001"), Err(DiceError::Modifier));
        assert_eq!(Dice::parse("-1d6"), Err(DiceError::Syntax));
    }

    #[test]
    fn a_roll_stays_within_its_bounds_and_adds_up() {
        let dice = Dice::parse("3d4-1").unwrap();
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..200 {
            let roll = dice.roll(&mut rng);
            assert_eq!(roll.faces.len(), 3);
            assert!(roll.faces.iter().all(|f| (1..=4).contains(f)));
            assert_eq!(
                roll.total,
                roll.faces.iter().map(|f| i64::from(*f)).sum::<i64>() - 1
            );
        }
        let shown = Roll {
            faces: vec![3, 5],
            modifier: -1,
            total: 7,
        }
        .to_string();
        assert_eq!(shown, "[3, 5] - 1 = **7**");
    }
}
