-- One row per calendar day from 2024 to the end of next year.
select
    cast(day as date) as date_day,
    cast(date_trunc('month', day) as date) as month_start,
    year(day) as year,
    quarter(day) as quarter,
    month(day) as month,
    monthname(day) as month_name,
    isodow(day) as iso_day_of_week,
    isodow(day) in (6, 7) as is_weekend
from generate_series(
    date '2024-01-01',
    cast(date_trunc('year', current_date) + interval 2 year - interval 1 day as date),
    interval 1 day
) as days (day)
