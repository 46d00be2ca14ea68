-- Pupil characteristics as the labels cohort comparisons group by (domain.md, "Words").

-- EY (nursery and reception), KS1 = Y1-2, KS2 = Y3-6, KS3 = Y7-9, KS4 = Y10-11,
-- KS5 = Y12-13, from an NC year number.
CREATE MACRO key_stage_label(n) AS
    CASE WHEN n <= 0 THEN 'EY'
         WHEN n <= 2 THEN 'KS1'
         WHEN n <= 6 THEN 'KS2'
         WHEN n <= 9 THEN 'KS3'
         WHEN n <= 11 THEN 'KS4'
         ELSE 'KS5' END;

-- DfE's major ethnic groups from a 4-letter code; refused or not obtained is
-- unclassified.
CREATE MACRO ethnic_major(code) AS
    CASE WHEN code IS NULL OR code IN ('REFU', 'NOBT') THEN 'Unclassified'
         WHEN code = 'CHNE' THEN 'Chinese'
         WHEN code LIKE 'W%' THEN 'White'
         WHEN code LIKE 'M%' THEN 'Mixed'
         WHEN code LIKE 'A%' THEN 'Asian'
         WHEN code LIKE 'B%' THEN 'Black'
         ELSE 'Any other ethnic group' END;

-- Y / N for a boolean; U where it was not recorded.
CREATE MACRO yes_no(b) AS CASE WHEN b THEN 'Y' WHEN NOT b THEN 'N' ELSE 'U' END;
