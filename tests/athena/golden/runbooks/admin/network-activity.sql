-- runbook network-activity: Activity from an IPv4 network, per address and identity
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $cidr, 2: $cidr, 3: $cidr, 4: $cidr, 5: $cidr, 6: $start, 7: $start, 8: $end, 9: $end
WITH net AS (
  SELECT
    (
      CAST(SPLIT_PART(?, '.', 1) AS BIGINT) * 16777216 + CAST(SPLIT_PART(?, '.', 2) AS BIGINT) * 65536 + CAST(SPLIT_PART(?, '.', 3) AS BIGINT) * 256 + CAST(SPLIT_PART(SPLIT_PART(?, '/', 1), '.', 4) AS BIGINT)
    ) AS first_address,
    CAST(POWER(2, 32 - CAST(SPLIT_PART(?, '/', 2) AS INTEGER)) AS BIGINT) AS size
), calls AS (
  SELECT
    eventTime,
    eventSource,
    errorCode,
    sourceIPAddress,
    COALESCE(userIdentity.arn, userIdentity.type) AS principal,
    TRY_CAST(SPLIT_PART(sourceIPAddress, '.', 1) AS BIGINT) * 16777216 + TRY_CAST(SPLIT_PART(sourceIPAddress, '.', 2) AS BIGINT) * 65536 + TRY_CAST(SPLIT_PART(sourceIPAddress, '.', 3) AS BIGINT) * 256 + TRY_CAST(SPLIT_PART(sourceIPAddress, '.', 4) AS BIGINT) AS address
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask AS tm_s
  ) AS events
  WHERE
    (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime >= CAST(? AS TIMESTAMP)
    )
    AND (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime < CAST(? AS TIMESTAMP)
    )
    AND REGEXP_LIKE(sourceIPAddress, '^[0-9]{1,3}(\.[0-9]{1,3}){3}$')
)
SELECT
  sourceIPAddress,
  principal,
  COUNT(*) AS calls,
  COUNT(errorCode) AS errors,
  ARRAY_SORT(ARRAY_DISTINCT(ARRAY_AGG(eventSource))) AS services,
  MIN(eventTime) AS first_seen,
  MAX(eventTime) AS last_seen
FROM calls, net
WHERE
  calls.address >= net.first_address
  AND calls.address < net.first_address + net.size
GROUP BY
  sourceIPAddress,
  principal
ORDER BY
  first_seen,
  sourceIPAddress,
  principal
