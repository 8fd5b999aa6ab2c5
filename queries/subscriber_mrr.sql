-- purpose: Recurring revenue at one instant, for the contractual CLV formula (ARPU = MRR per
--   paying subscriber): the customers with a paying subscription (mrr above 0) running at `at`
--   (started at or before it, not ended by it, as in churn_window), their MRR in the report
--   currency valued as mrr_movements values it (at the rate of each subscription's start day),
--   and the subscriptions left out for want of a rate. A $0 plan is no paying subscription.
-- grain: one row
-- reads: subscriptions, fx_rates
-- parameters:
--   at timestamp: the instant MRR is taken at (the report week's end)
--   at timestamp: (repeated) and not ended by it
--   report_currency varchar: ISO code MRR is reported in (rates into it)
--   report_currency varchar: (repeated) subscriptions already in the report currency
--   report_currency varchar: (repeated) subscriptions needing conversion
--   report_currency varchar: (repeated) subscriptions without a rate
-- columns:
--   paying_subscribers bigint: customers with a paying subscription running at `at`, whether
--     or not its MRR could be converted
--   mrr decimal(38,4): their MRR in the report currency (converted subscriptions only)
--   unconverted_subscriptions bigint: running paying subscriptions left out of mrr (no fx rate)
with

running as (
    select
        customer_id,
        mrr,
        currency,
        started_at
    from subscriptions
    where started_at <= ?
        and (ended_at is null or ended_at > ?)
        and mrr > 0
),

rates as (
    select
        rate_date,
        from_currency,
        rate
    from fx_rates
    where to_currency = ?
),

valued as (
    select mrr
    from running
    where currency = ?
    union all
    select
        -- Exact on both engines. DuckDB multiplies two DECIMAL(18) values in 64 bits, as a
        -- DECIMAL(18, 14) that overflows from 10^4: larger products are widened to 128 bits
        -- first, smaller ones are not, as rounding a 128-bit product is ~70 times slower.
        case
            when abs(cast(running.mrr as double) * cast(rates.rate as double)) < 9999
                then cast(running.mrr * rates.rate as decimal(18, 4))
            else cast(cast(running.mrr as decimal(38, 4)) * rates.rate as decimal(18, 4))
        end as mrr
    from running
    inner join rates
        on rates.from_currency = running.currency
        and rates.rate_date = cast(running.started_at as date)
    where running.currency <> ?
),

unconverted as (
    select count(*) as subscriptions
    from running
    left join rates
        on rates.from_currency = running.currency
        and rates.rate_date = cast(running.started_at as date)
    where rates.rate is null
        and running.currency <> ?
),

final as (
    select
        (select count(distinct customer_id) from running) as paying_subscribers,
        (select coalesce(sum(mrr), cast(0 as decimal(38, 4))) from valued) as mrr,
        (select subscriptions from unconverted) as unconverted_subscriptions
)

select * from final
