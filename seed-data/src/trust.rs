//! The demo trust: its academies and their pupils, drawn from a seeded generator.

use chrono::{Datelike, Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::calendar::{DayKind, SchoolYear};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Primary,
    Secondary,
    Special,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Primary => "primary",
            Phase::Secondary => "secondary",
            Phase::Special => "special",
        }
    }

    /// Mean chance of missing a session before pupil characteristics (calibrated so the
    /// trust's absence sits near national by phase).
    fn base_rate(self) -> f64 {
        match self {
            Phase::Primary => 0.043,
            Phase::Secondary => 0.050,
            Phase::Special => 0.093,
        }
    }
}

#[derive(Debug, Clone)]
pub struct AcademySpec {
    pub index: usize,
    pub urn: String,
    pub name: String,
    pub phase: Phase,
    pub local_authority: String,
    pub source_system: &'static str,
    /// Lowest and highest NC year (N2 = -1, R = 0).
    pub year_lo: i8,
    pub year_hi: i8,
    /// Pupils per year group (main school).
    pub per_year: f64,
    /// Absence relative to the phase norm.
    pub factor: f64,
    /// Change of `factor` per academic year (negative: improving).
    pub trend: f64,
    pub fsm_share: f64,
    pub eal_share: f64,
    /// Its autumn and spring half terms fall a week after the others' (another local
    /// authority's term dates).
    pub later_half_terms: bool,
}

/// name, phase, LA, MIS, absence factor, trend a year, FSM share, EAL share
type AcademyRow = (
    &'static str,
    Phase,
    &'static str,
    &'static str,
    f64,
    f64,
    f64,
    f64,
);

const DEFAULT_ACADEMIES: &[AcademyRow] = &[
    // name, phase, LA, MIS, factor, trend, FSM share, EAL share
    (
        "Oakfield Primary Academy",
        Phase::Primary,
        "Bedford",
        "SIMS",
        1.0,
        0.0,
        0.22,
        0.18,
    ),
    (
        "Riverside Primary Academy",
        Phase::Primary,
        "Luton",
        "Arbor",
        1.18,
        -0.09,
        0.34,
        0.42,
    ),
    (
        "St Mary's Church Primary Academy",
        Phase::Primary,
        "Central Bedfordshire",
        "Bromcom",
        0.82,
        0.0,
        0.12,
        0.08,
    ),
    (
        "Brookfield Primary Academy",
        Phase::Primary,
        "Milton Keynes",
        "SIMS",
        0.95,
        0.1,
        0.24,
        0.21,
    ),
    (
        "Hillcrest Primary Academy",
        Phase::Primary,
        "Luton",
        "Arbor",
        1.08,
        0.0,
        0.3,
        0.35,
    ),
    (
        "Kingsway Academy",
        Phase::Secondary,
        "Bedford",
        "SIMS",
        1.02,
        -0.06,
        0.25,
        0.16,
    ),
    (
        "Lea Valley Academy",
        Phase::Secondary,
        "Luton",
        "Go4Schools",
        1.1,
        0.08,
        0.33,
        0.38,
    ),
    (
        "Meadowbank Special Academy",
        Phase::Special,
        "Central Bedfordshire",
        "SIMS",
        1.0,
        0.0,
        0.4,
        0.1,
    ),
];

const LAS: &[&str] = &[
    "Bedford",
    "Luton",
    "Central Bedfordshire",
    "Milton Keynes",
    "Hertfordshire",
    "Cambridgeshire",
    "West Northamptonshire",
    "North Northamptonshire",
];
const MIS: &[&str] = &["SIMS", "Arbor", "Bromcom", "Go4Schools"];
const PLACE_NAMES: &[&str] = &[
    "Ashford",
    "Beacon",
    "Cedar",
    "Denton",
    "Elmwood",
    "Fairfield",
    "Greenway",
    "Harbour",
    "Ivy Lane",
    "Juniper",
    "Kestrel",
    "Larkspur",
    "Millbrook",
    "Northgate",
    "Orchard",
    "Parkside",
    "Queensway",
    "Rowan",
    "Sandhill",
    "Thornbury",
    "Upton",
    "Valley",
    "Westfield",
    "Yew Tree",
];

/// Relative sizes: a secondary with sixth form is ~4.4 primaries, a special ~0.37.
fn size_units(phase: Phase) -> f64 {
    match phase {
        Phase::Primary => 1.0,
        Phase::Secondary => 4.4,
        Phase::Special => 0.37,
    }
}

fn year_range(phase: Phase) -> (i8, i8) {
    match phase {
        Phase::Primary => (-1, 6),
        Phase::Secondary => (7, 13),
        Phase::Special => (3, 13),
    }
}

/// The academies of a trust of `count` academies and about `pupils` pupils on roll:
/// the default eight, or for larger trusts the same mix (5 primary : 2 secondary :
/// 1 special) with generated names.
pub fn academies(count: usize, pupils: usize, seed: u64) -> Vec<AcademySpec> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xA11CE);
    let mut specs: Vec<AcademySpec> = (0..count)
        .map(|i| {
            let (name, phase, la, mis, factor, trend, fsm, eal) =
                if count <= DEFAULT_ACADEMIES.len() {
                    let a = DEFAULT_ACADEMIES[i];
                    (
                        a.0.to_string(),
                        a.1,
                        a.2.to_string(),
                        a.3,
                        a.4,
                        a.5,
                        a.6,
                        a.7,
                    )
                } else {
                    let phase = match i % 8 {
                        0..=4 => Phase::Primary,
                        5 | 6 => Phase::Secondary,
                        _ => Phase::Special,
                    };
                    let place = PLACE_NAMES[i % PLACE_NAMES.len()];
                    let n = i / PLACE_NAMES.len();
                    let kind = match phase {
                        Phase::Primary => "Primary Academy",
                        Phase::Secondary => "Academy",
                        Phase::Special => "Special Academy",
                    };
                    let name = if n == 0 {
                        format!("{place} {kind}")
                    } else {
                        format!("{place} {kind} {}", n + 1)
                    };
                    (
                        name,
                        phase,
                        LAS[rng.gen_range(0..LAS.len())].to_string(),
                        MIS[rng.gen_range(0..MIS.len())],
                        rng.gen_range(0.82..1.2),
                        rng.gen_range(-0.08..0.08),
                        rng.gen_range(0.12..0.4),
                        rng.gen_range(0.05..0.4),
                    )
                };
            let urn = format!(
                "{}",
                140_000
                    + match phase {
                        Phase::Primary => 100,
                        Phase::Secondary => 200,
                        Phase::Special => 300,
                    }
                    + i
                    + 1
                    + (i / 100) * 1000
            );
            let (year_lo, year_hi) = year_range(phase);
            AcademySpec {
                index: i,
                urn,
                name,
                phase,
                local_authority: la,
                source_system: mis,
                year_lo,
                year_hi,
                per_year: 0.0,
                factor,
                trend,
                fsm_share: fsm,
                eal_share: eal,
                // Two of the eight demo academies (the second and sixth) keep a
                // neighbouring authority's half terms.
                later_half_terms: i % 4 == 1,
            }
        })
        .collect();
    let units: f64 = specs.iter().map(|s| size_units(s.phase)).sum();
    for s in &mut specs {
        let on_roll = pupils as f64 * size_units(s.phase) / units;
        // Year groups on roll, counting nursery as half and sixth form as 0.4 each.
        let groups = match s.phase {
            Phase::Primary => 7.5,
            Phase::Secondary => 5.8,
            Phase::Special => 11.0,
        };
        s.per_year = on_roll / groups;
    }
    specs
}

#[derive(Debug, Clone)]
pub struct ApPlan {
    pub provider: &'static str,
    pub provider_urn: Option<&'static str>,
    pub by_school: bool,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub sessions_per_week: u8,
    pub last_contact: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct RtPlan {
    pub start: NaiveDate,
    pub planned_end: NaiveDate,
    pub next_review: NaiveDate,
    pub end: Option<NaiveDate>,
    /// Sessions a week in school; the others are `C2`.
    pub sessions_per_week: u8,
    pub reason: &'static str,
    pub parents_agreed: bool,
    pub la_notified: bool,
    /// Written to reduced_timetables.csv (a few are not, as in real data).
    pub recorded: bool,
    /// Its sessions coded `C2` (a few are not).
    pub coded: bool,
}

#[derive(Debug, Clone)]
pub struct Pupil {
    pub idx: u32,
    pub pupil_id: String,
    pub upn: String,
    pub surname: &'static str,
    pub forename: &'static str,
    pub date_of_birth: NaiveDate,
    pub sex: char,
    /// Birth academic year: NC year in academic year Y is Y - bay - 5.
    pub bay: i32,
    pub entry: NaiveDate,
    pub leaving: Option<NaiveDate>,
    pub sen: char,
    pub fsm: bool,
    pub eal: bool,
    pub ethnicity: &'static str,
    pub looked_after: bool,
    /// Persistent absence propensity (standard normal score).
    pub z: f64,
    pub dual: bool,
    pub ap: Option<ApPlan>,
    pub rt: Option<RtPlan>,
}

impl Pupil {
    pub fn nc_year(&self, academic_year: i32) -> i32 {
        academic_year - self.bay - 5
    }

    pub fn on_roll(&self, day: NaiveDate) -> bool {
        day >= self.entry && self.leaving.is_none_or(|l| day <= l)
    }
}

const FORENAMES_F: &[&str] = &[
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia",
    "Grace", "Freya", "Aisha", "Maryam", "Zara", "Ella", "Evie", "Poppy", "Harper", "Layla",
    "Chloe", "Amara", "Hana", "Nadia", "Zuzanna",
];
const FORENAMES_M: &[&str] = &[
    "Muhammad", "Noah", "Oliver", "George", "Leo", "Arthur", "Oscar", "Harry", "Jack", "Theo",
    "Charlie", "Freddie", "Alfie", "Archie", "Henry", "Ibrahim", "Yusuf", "Jacob", "Kai", "Ethan",
    "Adam", "Samuel", "Reuben", "Tomasz", "Kwame",
];
const SURNAMES: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Khan", "Ahmed", "Hussain", "Begum", "Ali", "Clarke", "Mensah", "Okafor", "Kowalski", "Nowak",
    "O'Brien", "Murphy", "Singh", "Kaur", "Chen", "Nguyen", "Hughes", "Edwards",
];
/// DfE ethnicity codes with rough shares of pupils in the trust's area.
const ETHNICITIES: &[(&str, f64)] = &[
    ("WBRI", 0.55),
    ("WOTH", 0.07),
    ("WIRI", 0.01),
    ("WROM", 0.01),
    ("APKN", 0.07),
    ("ABAN", 0.04),
    ("AIND", 0.04),
    ("AOTH", 0.02),
    ("BAFR", 0.05),
    ("BCRB", 0.02),
    ("BOTH", 0.01),
    ("MWBC", 0.02),
    ("MWBA", 0.01),
    ("MWAS", 0.02),
    ("MOTH", 0.02),
    ("CHNE", 0.01),
    ("OOTH", 0.02),
    ("REFU", 0.01),
];
const AP_PROVIDERS: &[(&str, Option<&str>)] = &[
    ("Horizons Alternative Provision", Some("10045123")),
    ("Skills Hub CIC", None),
    ("Pathways Pupil Referral Unit", Some("131245")),
    ("Riverside Motor Project", Some("10087654")),
];
const RT_REASONS: &[&str] = &[
    "medical",
    "anxiety / EBSA",
    "reintegration",
    "SEND transition",
];

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn ethnicity(rng: &mut ChaCha8Rng, eal: bool) -> &'static str {
    // EAL pupils are mostly not White British.
    let mut x: f64 = rng.gen();
    if eal {
        x = 0.55 + x * 0.45;
    }
    let total: f64 = ETHNICITIES.iter().map(|e| e.1).sum();
    let mut acc = 0.0;
    for (code, share) in ETHNICITIES {
        acc += share / total;
        if x < acc {
            return code;
        }
    }
    "OOTH"
}

/// A standard normal draw (Box-Muller).
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn first_school_day(start_year: i32) -> NaiveDate {
    let y = SchoolYear::new(start_year);
    y.open_days()
        .into_iter()
        .find(|(_, k)| *k == DayKind::School)
        .map(|(d, _)| d)
        .expect("a school year has school days")
}

fn random_school_day(rng: &mut ChaCha8Rng, start_year: i32, until: NaiveDate) -> NaiveDate {
    let days: Vec<NaiveDate> = SchoolYear::new(start_year)
        .open_days()
        .into_iter()
        .filter(|(d, k)| *k == DayKind::School && *d <= until)
        .map(|(d, _)| d)
        .collect();
    days[rng.gen_range(0..days.len())]
}

/// The pupils who are on roll at the academy at any time in academic years
/// `first_year..=last_year` up to `as_of`.
pub fn pupils(
    spec: &AcademySpec,
    first_year: i32,
    last_year: i32,
    as_of: NaiveDate,
    seed: u64,
) -> Vec<Pupil> {
    let mut rng = ChaCha8Rng::seed_from_u64(
        seed ^ (spec.index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    let mut out: Vec<Pupil> = Vec::new();
    let urn_tail: u32 = spec.urn[2..].parse().unwrap_or(0);
    // Birth years passing through the academy's year groups within the range.
    let bay_lo = first_year - spec.year_hi as i32 - 5;
    let bay_hi = last_year - spec.year_lo as i32 - 5;
    for bay in bay_lo..=bay_hi {
        let base = spec.per_year * rng.gen_range(0.9..1.1);
        let cohort = base.round() as usize;
        for _ in 0..cohort {
            // Year the pupil would join (their first year group here) and leave.
            let join_year_group = spec.year_lo as i32;
            let mut entry_year = bay + 5 + join_year_group;
            // Nursery is part-time and smaller; sixth form keeps ~40% of Year 11.
            let mut last_nc = spec.year_hi as i32;
            if spec.phase == Phase::Primary && rng.gen_bool(0.45) {
                entry_year += 1; // joins in reception, not nursery
            }
            if spec.phase == Phase::Secondary && rng.gen_bool(0.58) {
                last_nc = 11;
            }
            if spec.phase == Phase::Special {
                // Special schools take pupils at any age.
                entry_year += rng.gen_range(0..6);
            }
            let leave_year = bay + 5 + last_nc;
            if leave_year < first_year || entry_year > last_year {
                continue;
            }
            let idx = out.len() as u32;
            let sex = if spec.phase == Phase::Special {
                if rng.gen_bool(0.7) {
                    'M'
                } else {
                    'F'
                }
            } else if rng.gen_bool(0.5) {
                'M'
            } else {
                'F'
            };
            let dob_start = NaiveDate::from_ymd_opt(bay, 9, 1).expect("date");
            let dob = dob_start + Duration::days(rng.gen_range(0..365));
            let mut entry = first_school_day(entry_year);
            let mut leaving = (leave_year <= last_year).then(|| {
                let y = SchoolYear::new(leave_year);
                if last_nc == 11 && spec.phase == Phase::Secondary {
                    // Year 11 leave after their exams, at the end of June.
                    let mut d = NaiveDate::from_ymd_opt(leave_year + 1, 6, 30).expect("date");
                    while y.kind(d) != DayKind::School {
                        d -= Duration::days(1);
                    }
                    d
                } else {
                    y.last_day()
                }
            });
            // Movers: some join or leave in the middle of a year.
            let span_first = entry_year.max(first_year);
            let span_last = leave_year.min(last_year);
            let mover: f64 = rng.gen();
            if mover < 0.04 {
                let y = rng.gen_range(span_first..=span_last);
                entry = random_school_day(&mut rng, y, as_of.max(first_school_day(y)));
            } else if mover < 0.08 {
                let y = rng.gen_range(span_first..=span_last);
                let d = random_school_day(&mut rng, y, SchoolYear::new(y).last_day());
                if d >= entry {
                    leaving = Some(d);
                }
            }
            if entry > as_of || leaving.is_some_and(|l| l < entry) {
                continue;
            }
            let sen = if spec.phase == Phase::Special {
                if rng.gen_bool(0.96) {
                    'E'
                } else {
                    'K'
                }
            } else {
                let x: f64 = rng.gen();
                if x < 0.03 {
                    'E'
                } else if x < 0.16 {
                    'K'
                } else {
                    'N'
                }
            };
            let fsm = rng.gen_bool(spec.fsm_share);
            let eal = rng.gen_bool(spec.eal_share);
            let female = sex == 'F';
            let forename = if female {
                *pick(&mut rng, FORENAMES_F)
            } else {
                *pick(&mut rng, FORENAMES_M)
            };
            let surname = *pick(&mut rng, SURNAMES);
            let letter = (b'A' + (urn_tail % 26) as u8) as char;
            let upn = format!(
                "{letter}{:03}{:04}{:02}{:03}",
                820 + spec.index % 100,
                urn_tail % 10_000,
                (entry_year % 100),
                idx % 1000
            );
            let looked_after = rng.gen_bool(0.012);
            let z = normal(&mut rng);
            let on_roll_secondary = spec.phase != Phase::Primary;
            let dual = rng.gen_bool(0.006);
            let ap = (on_roll_secondary && rng.gen_bool(0.018)).then(|| {
                let y = rng.gen_range(span_first..=span_last);
                let start = random_school_day(&mut rng, y, as_of.max(first_school_day(y)));
                let weeks = rng.gen_range(6..30);
                let end = start + Duration::weeks(weeks);
                let (provider, provider_urn) = *pick(&mut rng, AP_PROVIDERS);
                ApPlan {
                    provider,
                    provider_urn,
                    by_school: rng.gen_bool(0.75),
                    start,
                    end: (end <= as_of).then_some(end),
                    sessions_per_week: rng.gen_range(2..=6),
                    last_contact: (as_of.min(end) - Duration::days(rng.gen_range(0..25)))
                        .max(start),
                }
            });
            let rt = (rng.gen_bool(if on_roll_secondary { 0.008 } else { 0.003 })).then(|| {
                let y = rng.gen_range(span_first..=span_last);
                let start = random_school_day(&mut rng, y, as_of.max(first_school_day(y)));
                let planned_end = start + Duration::weeks(rng.gen_range(4..9));
                let ended = planned_end + Duration::weeks(rng.gen_range(-1..6));
                RtPlan {
                    start,
                    planned_end,
                    next_review: start + Duration::weeks(rng.gen_range(2..7)),
                    end: (ended <= as_of).then_some(ended),
                    sessions_per_week: rng.gen_range(3..=8),
                    reason: RT_REASONS[rng.gen_range(0..RT_REASONS.len())],
                    parents_agreed: rng.gen_bool(0.9),
                    la_notified: rng.gen_bool(0.8),
                    recorded: rng.gen_bool(0.9),
                    coded: rng.gen_bool(0.92),
                }
            });
            out.push(Pupil {
                idx,
                pupil_id: format!("{}", 10_000 + idx),
                upn,
                surname,
                forename,
                date_of_birth: dob,
                sex,
                bay,
                entry,
                leaving,
                sen,
                fsm,
                eal,
                ethnicity: ethnicity(&mut rng, eal),
                looked_after,
                z,
                dual,
                ap,
                rt,
            });
        }
    }
    out
}

impl AcademySpec {
    /// The pupil's chance of missing a session in `year`, before day and season effects.
    pub fn propensity(&self, p: &Pupil, year: i32, year_z: f64) -> f64 {
        let nc = p.nc_year(year);
        let mut rate =
            self.phase.base_rate() * (self.factor * (1.0 + self.trend).powi(year - 2024));
        rate *= match nc {
            ..=0 => 1.05,
            1..=6 => 1.0,
            7 | 8 => 0.95,
            9 => 1.15,
            10 | 11 => 1.3,
            _ => 1.15,
        };
        if p.fsm {
            rate *= 1.85;
        }
        rate *= match (p.sen, self.phase) {
            (_, Phase::Special) => 1.0,
            ('E', _) => 2.2,
            ('K', _) => 1.7,
            _ => 1.0,
        };
        if p.looked_after {
            rate *= 0.9;
        }
        let sigma = 1.45;
        (rate * (sigma * year_z - sigma * sigma / 2.0).exp()).min(0.95)
    }
}

pub fn year_of(day: NaiveDate) -> i32 {
    if day.month() >= 9 {
        day.year()
    } else {
        day.year() - 1
    }
}
