-- One row per development application type, with the Ontario Planning Act's decision
-- timeline for it (as amended by Bill 109, 2022, and Bill 185, 2024). The days are the
-- periods after which an applicant may appeal a non-decision to the Ontario Land
-- Tribunal; a minor variance's is the hearing, within 30 days of receipt. To be
-- confirmed by the city's planners (docs/departments/planning.md).
select
    timelines.application_type,
    timelines.application_prefix,
    timelines.legislated_days,
    timelines.legislated_milestone,
    timelines.planning_act_section
from (
    values
    ('Zoning By-law Amendment', 'ZBA', 90, 'Decision', 's.34(11)'),
    ('Official Plan Amendment', 'OPA', 120, 'Decision', 's.22(7)'),
    ('Plan of Subdivision', 'SUB', 120, 'Decision', 's.51(34)'),
    ('Site Plan', 'SPA', 60, 'Decision', 's.41(12)'),
    ('Consent', 'CON', 90, 'Decision', 's.53(14)'),
    ('Minor Variance', 'MV', 30, 'Public Meeting', 's.45(4)')
) as timelines (
    application_type,
    application_prefix,
    legislated_days,
    legislated_milestone,
    planning_act_section
)
