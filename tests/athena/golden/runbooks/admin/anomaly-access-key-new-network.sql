-- runbook anomaly-access-key-new-network: Long-term access key used from a new network
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $lookback_days, 4: $end, 5: $end, 6: $start, 7: $start, 8: $end, 9: $end, 10: $start, 11: $start, 12: $start, 13: $lookback_days, 14: $min_baseline_calls
WITH calls AS (
  SELECT
    userIdentity.accessKeyId AS access_key,
    userIdentity.arn AS principal,
    eventTime,
    eventName,
    CASE
      WHEN REGEXP_LIKE(sourceIPAddress, '^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.([0-9]{1,3}|x+)$')
      THEN CONCAT(
        CAST(REGEXP_EXTRACT(sourceIPAddress, '^([0-9]+\.[0-9]+\.[0-9]+)\.', 1) AS VARCHAR),
        CAST('.0/24' AS VARCHAR)
      )
      WHEN REGEXP_LIKE(sourceIPAddress, '^[0-9A-Fa-f:]+$')
      AND CONTAINS(sourceIPAddress, ':')
      THEN CONCAT(
        CAST(ARRAY_JOIN(
          SLICE(
            CONCAT(
              SLICE(FILTER(SPLIT(LOWER(SPLIT_PART(sourceIPAddress, '::', 1)), ':'), x -> x <> ''), 1, 3),
              ARRAY['0', '0', '0']
            ),
            1,
            3
          ),
          ':'
        ) AS VARCHAR),
        CAST('::/48' AS VARCHAR)
      )
    END AS network
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask AS tm_s
  ) AS events
  WHERE
    REGEXP_LIKE(userIdentity.accessKeyId, '^(AKIA|[A-Za-z]+_AKIA)')
    AND (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime >= CAST(CAST(? AS TIMESTAMP) AS TIMESTAMP) - (
        INTERVAL '1' DAY * (
          CAST(? AS INTEGER)
        )
      )
    )
    AND (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime < CAST(? AS TIMESTAMP)
    )
), in_window AS (
  SELECT
    access_key,
    network,
    MIN(principal) AS principal,
    COUNT(*) AS calls,
    SLICE(ARRAY_SORT(ARRAY_DISTINCT(ARRAY_AGG(eventName))), 1, 15) AS actions,
    MIN(eventTime) AS first_call,
    MAX(eventTime) AS last_call
  FROM calls
  WHERE
    NOT network IS NULL
    AND (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime >= CAST(? AS TIMESTAMP)
    )
    AND (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime < CAST(? AS TIMESTAMP)
    )
  GROUP BY
    access_key,
    network
), before AS (
  SELECT
    access_key,
    network
  FROM calls
  WHERE
    NOT CAST(? AS TIMESTAMP) IS NULL
    AND eventTime < CAST(? AS TIMESTAMP)
    AND eventTime >= CAST(CAST(? AS TIMESTAMP) AS TIMESTAMP) - (
      INTERVAL '1' DAY * (
        CAST(? AS INTEGER)
      )
    )
), baseline AS (
  SELECT
    access_key,
    COUNT(*) AS baseline_calls,
    COUNT(DISTINCT network) AS known_networks
  FROM before
  GROUP BY
    access_key
), seen AS (
  SELECT DISTINCT
    access_key,
    network
  FROM before
  WHERE
    NOT network IS NULL
)
SELECT
  w.access_key,
  w.principal,
  w.network,
  w.calls,
  b.known_networks,
  w.actions,
  w.first_call,
  w.last_call
FROM in_window AS w
JOIN baseline AS b
  ON b.access_key = w.access_key
LEFT JOIN seen AS s
  ON s.access_key = w.access_key AND s.network = w.network
WHERE
  s.network IS NULL AND b.baseline_calls >= ?
ORDER BY
  w.first_call,
  w.access_key,
  w.network
