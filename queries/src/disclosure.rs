//! Disclosure control by an exact audit of what a table's margins reveal (the method of
//! Statistics Norway's GaussSuppression and sdcTable; the *Handbook on Statistical
//! Disclosure Control*, Hundepool et al., 2nd ed. 2024).
//!
//! A [`Table`] is a set of inner counts (say, enrolments per academy and pupil group)
//! and the published sums over them (each academy's total, each group's trust-wide
//! figure, the trust's total). A viewer who sees some counts and some sums can treat the
//! hidden counts as unknowns and every shown sum as a linear equation in them. A hidden
//! count (or a hidden sum) is **disclosed** when those equations determine it: exactly
//! when its coefficient vector lies in the row space of the equations. [`disclosed`]
//! decides that by Gaussian elimination (over a 61-bit prime field: see `Q`); [`protect`] hides
//! counts below the threshold (primary suppression) and then, while anything hidden is
//! still determined, hides the smallest further count beside it (complementary
//! suppression) until nothing hidden can be worked out.
//!
//! Everything here is plain Rust over counts, shared with the WebAssembly side: the
//! callers decide what the cells are.

/// Inner counts and the published sums over them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// The inner counts.
    pub cells: Vec<u64>,
    /// Each published sum: the indices of the inner counts it adds up.
    pub sums: Vec<Vec<usize>>,
}

impl Table {
    /// A two-way table with every margin: `rows x columns` inner counts (row-major),
    /// then one sum per row, one per column, and the grand total, in that order.
    pub fn two_way(counts: &[Vec<u64>]) -> Table {
        let rows = counts.len();
        let cols = counts.first().map_or(0, Vec::len);
        let cells: Vec<u64> = counts.iter().flat_map(|r| r.iter().copied()).collect();
        let mut sums: Vec<Vec<usize>> = (0..rows)
            .map(|r| (0..cols).map(|c| r * cols + c).collect())
            .collect();
        sums.extend((0..cols).map(|c| (0..rows).map(|r| r * cols + c).collect()));
        sums.push((0..rows * cols).collect());
        Table { cells, sums }
    }

    /// The value of sum `s`.
    pub fn sum(&self, s: usize) -> u64 {
        self.sums[s].iter().map(|&i| self.cells[i]).sum()
    }
}

/// What is hidden: one flag per inner count and one per sum.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hidden {
    pub cells: Vec<bool>,
    pub sums: Vec<bool>,
}

impl Hidden {
    /// Nothing hidden in `table`.
    pub fn none(table: &Table) -> Hidden {
        Hidden {
            cells: vec![false; table.cells.len()],
            sums: vec![false; table.sums.len()],
        }
    }

    /// How many items (counts and sums) are hidden.
    pub fn count(&self) -> usize {
        self.cells
            .iter()
            .chain(self.sums.iter())
            .filter(|h| **h)
            .count()
    }
}

/// An item of a table: an inner count or a published sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    Cell(usize),
    Sum(usize),
}

/// A number modulo the Mersenne prime 2^61 - 1. The equations have small integer
/// coefficients (0 and 1), so elimination over this field decides the same ranks as over
/// the rationals unless the prime divides one of the matrix's minors, which for tables of
/// counts does not happen in practice (and would hide more, not less: a vector outside
/// the rational row space can only fall inside it mod p). Rationals were exact too but
/// grew past i128 on tables of 60 academies and were slower by two orders of magnitude.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Q(u64);

const P: u64 = (1 << 61) - 1;

impl Q {
    const ZERO: Q = Q(0);

    /// `self + 1`.
    fn succ(self) -> Q {
        Q((self.0 + 1) % P)
    }

    fn is_zero(self) -> bool {
        self.0 == 0
    }

    fn sub(self, o: Q) -> Q {
        Q((self.0 + P - o.0) % P)
    }

    fn mul(self, o: Q) -> Q {
        Q(((self.0 as u128 * o.0 as u128) % P as u128) as u64)
    }

    /// `self / o`, `o` not zero (Fermat: o^(p-2) is its inverse).
    fn div(self, o: Q) -> Q {
        let (mut base, mut e, mut inv) = (o, P - 2, Q(1));
        while e > 0 {
            if e & 1 == 1 {
                inv = inv.mul(base);
            }
            base = base.mul(base);
            e >>= 1;
        }
        self.mul(inv)
    }
}

/// The equations a viewer can write: for every shown sum, its coefficients over the
/// hidden counts, brought to reduced row echelon form. `columns` maps a hidden count to
/// its column.
struct Equations {
    columns: Vec<Option<usize>>,
    /// How many hidden counts (columns) there are.
    unknowns: usize,
    /// Reduced rows, each with its pivot column.
    rows: Vec<(usize, Vec<Q>)>,
}

impl Equations {
    fn new(table: &Table, hidden: &Hidden) -> Equations {
        let mut columns = vec![None; table.cells.len()];
        let mut n = 0;
        for (i, h) in hidden.cells.iter().enumerate() {
            if *h {
                columns[i] = Some(n);
                n += 1;
            }
        }
        // Every shown sum gives an equation; a shown count is a constant.
        let mut raw: Vec<Vec<Q>> = Vec::new();
        for (s, members) in table.sums.iter().enumerate() {
            if hidden.sums[s] {
                continue;
            }
            let mut row = vec![Q::ZERO; n];
            for &i in members {
                if let Some(c) = columns[i] {
                    row[c] = row[c].succ();
                }
            }
            if row.iter().any(|q| !q.is_zero()) {
                raw.push(row);
            }
        }
        // Gauss-Jordan elimination.
        let mut rows: Vec<(usize, Vec<Q>)> = Vec::new();
        for mut row in raw {
            for (pivot, r) in &rows {
                let f = row[*pivot];
                if !f.is_zero() {
                    for (x, y) in row.iter_mut().zip(r).filter(|(_, y)| !y.is_zero()) {
                        *x = x.sub(f.mul(*y));
                    }
                }
            }
            let Some(pivot) = row.iter().position(|q| !q.is_zero()) else {
                continue;
            };
            let inverse = Q(1).div(row[pivot]);
            for x in row.iter_mut().filter(|x| !x.is_zero()) {
                *x = x.mul(inverse);
            }
            for (_, r) in rows.iter_mut() {
                let f = r[pivot];
                if !f.is_zero() {
                    for (x, y) in r.iter_mut().zip(&row).filter(|(_, y)| !y.is_zero()) {
                        *x = x.sub(f.mul(*y));
                    }
                }
            }
            rows.push((pivot, row));
        }
        Equations {
            columns,
            unknowns: n,
            rows,
        }
    }

    /// Whether the combination of hidden counts `members` adds up to is determined.
    fn determines(&self, members: &[usize]) -> bool {
        let mut v = vec![Q::ZERO; self.unknowns];
        let mut any = false;
        for &i in members {
            if let Some(c) = self.columns[i] {
                v[c] = v[c].succ();
                any = true;
            }
        }
        if !any {
            // Made of shown counts only.
            return true;
        }
        for (pivot, r) in &self.rows {
            let f = v[*pivot];
            if !f.is_zero() {
                for (x, y) in v.iter_mut().zip(r).filter(|(_, y)| !y.is_zero()) {
                    *x = x.sub(f.mul(*y));
                }
            }
        }
        v.iter().all(|q| q.is_zero())
    }
}

/// The hidden items a viewer who sees everything else could work out exactly.
pub fn disclosed(table: &Table, hidden: &Hidden) -> Vec<Item> {
    let eq = Equations::new(table, hidden);
    let cells = (0..table.cells.len())
        .filter(|&i| hidden.cells[i] && eq.determines(&[i]))
        .map(Item::Cell);
    let sums = (0..table.sums.len())
        .filter(|&s| hidden.sums[s] && eq.determines(&table.sums[s]))
        .map(Item::Sum);
    cells.chain(sums).collect()
}

/// The first hidden item (counts, then sums) the shown ones determine, if any.
fn first_disclosed(table: &Table, hidden: &Hidden) -> Option<Item> {
    let eq = Equations::new(table, hidden);
    (0..table.cells.len())
        .filter(|&i| hidden.cells[i])
        .find(|&i| eq.determines(&[i]))
        .map(Item::Cell)
        .or_else(|| {
            (0..table.sums.len())
                .filter(|&s| hidden.sums[s])
                .find(|&s| eq.determines(&table.sums[s]))
                .map(Item::Sum)
        })
}

/// How many candidates a round of complementary suppression tries before it takes the
/// first (bounds the work on large tables; the next round goes on from there).
const TRIES: usize = 16;

/// Whether a count is small enough to hide: 1 to `threshold - 1` (0 may be shown).
pub fn is_small(n: u64, threshold: u64) -> bool {
    n > 0 && n < threshold
}

/// Primary suppression (every count and sum of 1 to `threshold - 1`), then
/// complementary suppression until nothing hidden can be worked out from what is
/// shown. Each round takes the first item still disclosed and hides the first of the
/// shown items that would protect it: counts beside it (sharing a shown sum: its row and
/// column before wider sums, smallest first), then any other count, and a published sum
/// only when no count will do; when no one item protects it, the first of them (the next
/// round adds another).
pub fn protect(table: &Table, threshold: u64) -> Hidden {
    protect_from(table, threshold, Hidden::none(table), &[])
}

/// [`protect`], with `start` hidden as well (say, a total another table hides), and the
/// sums in `fixed` never hidden by complementary suppression (they are published
/// elsewhere, so hiding them here would protect nothing).
pub fn protect_from(table: &Table, threshold: u64, start: Hidden, fixed: &[usize]) -> Hidden {
    let mut hidden = Hidden {
        cells: table
            .cells
            .iter()
            .zip(&start.cells)
            .map(|(&n, &h)| h || is_small(n, threshold))
            .collect(),
        sums: (0..table.sums.len())
            .map(|s| start.sums[s] || is_small(table.sum(s), threshold))
            .collect(),
    };
    loop {
        let Some(exposed) = first_disclosed(table, &hidden) else {
            return hidden;
        };
        let members: Vec<usize> = match exposed {
            Item::Cell(i) => vec![i],
            Item::Sum(s) => table.sums[s].clone(),
        };
        let by_value = |i: &usize| (table.cells[*i] == 0, table.cells[*i], *i);
        // Counts beside it first: those sharing a shown sum with it, the smallest such sum
        // first (its row and column before the grand total), then by value.
        let mut beside: Vec<(usize, usize)> = Vec::new();
        for s in (0..table.sums.len())
            .filter(|&s| !hidden.sums[s] && table.sums[s].iter().any(|i| members.contains(i)))
        {
            for &i in &table.sums[s] {
                if !hidden.cells[i] && !members.contains(&i) {
                    beside.push((table.sums[s].len(), i));
                }
            }
        }
        beside.sort_by_key(|&(size, i)| (size, by_value(&i)));
        let mut seen = std::collections::HashSet::new();
        let beside: Vec<usize> = beside
            .into_iter()
            .map(|(_, i)| i)
            .filter(|i| seen.insert(*i))
            .collect();
        // Then any other count; a published total only when no count will do.
        let mut rest: Vec<usize> = (0..table.cells.len())
            .filter(|&i| !hidden.cells[i] && !beside.contains(&i) && !members.contains(&i))
            .collect();
        rest.sort_by_key(by_value);
        let mut sums: Vec<usize> = (0..table.sums.len())
            .filter(|&s| !hidden.sums[s] && !fixed.contains(&s))
            .collect();
        sums.sort_by_key(|&s| (table.sum(s), s));
        let candidates: Vec<Item> = beside
            .into_iter()
            .map(Item::Cell)
            .chain(rest.into_iter().map(Item::Cell))
            .chain(sums.into_iter().map(Item::Sum))
            .collect();
        let with = |item: Item| {
            let mut h = hidden.clone();
            match item {
                Item::Cell(i) => h.cells[i] = true,
                Item::Sum(s) => h.sums[s] = true,
            }
            h
        };
        let protects = |item: &Item| !Equations::new(table, &with(*item)).determines(&members);
        match candidates
            .iter()
            .take(TRIES)
            .find(|c| protects(c))
            .or(candidates.first())
        {
            Some(&item) => hidden = with(item),
            // Nothing left that may be hidden: what is still determined is a fixed sum,
            // published elsewhere anyway.
            None => return hidden,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two counts and their total.
    fn pair(a: u64, b: u64) -> Table {
        Table {
            cells: vec![a, b],
            sums: vec![vec![0, 1]],
        }
    }

    fn hide(table: &Table, cells: &[usize], sums: &[usize]) -> Hidden {
        let mut h = Hidden::none(table);
        for &i in cells {
            h.cells[i] = true;
        }
        for &s in sums {
            h.sums[s] = true;
        }
        h
    }

    #[test]
    fn one_hidden_cell_beside_its_total_is_disclosed() {
        // Academy A: FSM 3, not FSM 40; the academy's total is shown.
        let t = pair(3, 40);
        assert_eq!(disclosed(&t, &hide(&t, &[0], &[])), vec![Item::Cell(0)]);
        // Hiding its partner too protects both.
        assert!(disclosed(&t, &hide(&t, &[0, 1], &[])).is_empty());
        let p = protect(&t, 5);
        assert_eq!(p.cells, vec![true, true]);
        assert_eq!(p.sums, vec![false]);
    }

    #[test]
    fn the_trust_column_gives_away_an_academy_cell() {
        // Two academies x FSM (Y, N); academy totals, FSM totals, the trust total.
        // Hiding A's FSM 3 and A's not-FSM 40 protects A's row, but the FSM column's
        // total (3 + 12) and B's FSM 12 shown give A's FSM back: 15 - 12 = 3.
        let t = Table::two_way(&[vec![3, 40], vec![12, 30]]);
        let h = hide(&t, &[0, 1], &[]);
        assert!(disclosed(&t, &h).contains(&Item::Cell(0)));
        // Protection hides a rectangle: four cells, no single one determined.
        let p = protect(&t, 5);
        assert_eq!(p.cells, vec![true, true, true, true]);
        assert!(disclosed(&t, &p).is_empty());
        // The margins stay shown.
        assert!(p.sums.iter().all(|h| !h));
    }

    #[test]
    fn counts_of_three_and_seven_make_ten() {
        // AP counts at two academies, 3 + 7 = 10 for the trust: hiding the 3 alone
        // lets 10 - 7 give it back.
        let t = pair(3, 7);
        let p = protect(&t, 5);
        assert_eq!(p.cells, vec![true, true]);
        assert!(disclosed(&t, &p).is_empty());
    }

    #[test]
    fn a_small_count_inside_a_shown_group_is_hidden() {
        // A group of 40 with 1 persistently absent: the 1 is primary, and (with the
        // group's 39 not persistently absent as the other cell) its partner is hidden.
        let t = pair(1, 39);
        let p = protect(&t, 5);
        assert!(p.cells[0] && p.cells[1]);
    }

    #[test]
    fn a_small_total_is_hidden_and_not_given_away() {
        // An academy of 3 pupils split 2 + 1: the cells and the total are all small.
        let t = Table::two_way(&[vec![2, 1], vec![20, 30]]);
        let p = protect(&t, 5);
        assert!(p.sums[0], "the academy total of 3");
        assert!(disclosed(&t, &p).is_empty());
    }

    #[test]
    fn a_fixed_total_is_never_hidden_to_protect_and_protection_ends() {
        // Two academies' totals are published elsewhere (fixed): protecting the small
        // cell hides its partner, never a total; and a small fixed total that stays
        // determined does not make protection run for ever.
        let t = Table::two_way(&[vec![3, 40], vec![2, 1]]);
        let fixed = [0, 1, 4];
        let p = protect_from(&t, 5, Hidden::none(&t), &fixed);
        assert!(!p.sums[0]);
        assert!(p.cells[0] && p.cells[1]);
        assert!(p.sums[1], "B's total of 3 is small");
    }

    #[test]
    fn zeros_may_be_shown() {
        let t = pair(0, 40);
        assert_eq!(protect(&t, 5).count(), 0);
    }

    /// An independent check: the rank of a matrix in floating point with partial
    /// pivoting (fine for the small 0/1 matrices here).
    fn rank(mut m: Vec<Vec<f64>>) -> usize {
        let cols = m.first().map_or(0, Vec::len);
        let mut rank = 0;
        for c in 0..cols {
            let Some(p) = (rank..m.len()).max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs()))
            else {
                break;
            };
            if m[p][c].abs() < 1e-9 {
                continue;
            }
            m.swap(rank, p);
            let pivot = m[rank].clone();
            for (r, row) in m.iter_mut().enumerate() {
                if r != rank {
                    let f = row[c] / pivot[c];
                    for (x, y) in row.iter_mut().zip(&pivot) {
                        *x -= f * y;
                    }
                }
            }
            rank += 1;
        }
        rank
    }

    /// Hidden cell `k` is determined iff adding the unit row e_k does not raise the rank
    /// of the shown sums' rows (over the hidden cells).
    fn determined_by_rank(t: &Table, h: &Hidden, k: usize) -> bool {
        let hidden: Vec<usize> = (0..t.cells.len()).filter(|&i| h.cells[i]).collect();
        let mut m: Vec<Vec<f64>> = (0..t.sums.len())
            .filter(|&s| !h.sums[s])
            .map(|s| {
                hidden
                    .iter()
                    .map(|i| if t.sums[s].contains(i) { 1.0 } else { 0.0 })
                    .collect()
            })
            .collect();
        let before = rank(m.clone());
        m.push(
            hidden
                .iter()
                .map(|&i| if i == k { 1.0 } else { 0.0 })
                .collect(),
        );
        rank(m) == before
    }

    /// A small deterministic generator (no dependency needed for this).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    #[test]
    fn protection_leaves_nothing_hidden_determined_on_random_trusts() {
        let mut rng = Lcg(20261130);
        for case in 0..300 {
            let rows = 1 + rng.next(4) as usize;
            let cols = 2 + rng.next(4) as usize;
            let counts: Vec<Vec<u64>> = (0..rows)
                .map(|_| (0..cols).map(|_| rng.next(13)).collect())
                .collect();
            let t = Table::two_way(&counts);
            let p = protect(&t, 5);
            // Every small count is hidden.
            for (i, &n) in t.cells.iter().enumerate() {
                if is_small(n, 5) {
                    assert!(p.cells[i], "case {case}: {counts:?}");
                }
            }
            // The exact audit and an independent rank test agree, and find nothing.
            assert!(
                disclosed(&t, &p).is_empty(),
                "case {case}: {counts:?} {p:?}"
            );
            for k in (0..t.cells.len()).filter(|&k| p.cells[k]) {
                assert!(
                    !determined_by_rank(&t, &p, k),
                    "case {case}: cell {k} of {counts:?} is determined: {p:?}"
                );
            }
            // And the audit agrees with the rank test on the unprotected primary
            // pattern too (where it usually does find something).
            let primary = Hidden {
                cells: t.cells.iter().map(|&n| is_small(n, 5)).collect(),
                sums: vec![false; t.sums.len()],
            };
            let found = disclosed(&t, &primary);
            for k in (0..t.cells.len()).filter(|&k| primary.cells[k]) {
                assert_eq!(
                    found.contains(&Item::Cell(k)),
                    determined_by_rank(&t, &primary, k),
                    "case {case}: cell {k} of {counts:?}"
                );
            }
        }
    }
}
