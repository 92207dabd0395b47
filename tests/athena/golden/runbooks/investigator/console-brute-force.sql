-- runbook console-brute-force: Console password guessing by source address
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $min_failures
WITH logins AS (
  SELECT
    eventTime,
    sourceIPAddress,
    COALESCE(userIdentity.arn, userIdentity.userName) AS principal,
    (
      (
        COALESCE(
          JSON_EXTRACT_SCALAR(responseElements, '$.ConsoleLogin'),
          JSON_FORMAT(JSON_EXTRACT(responseElements, '$.ConsoleLogin'))
        )
      ) = 'Failure'
      OR NOT errorMessage IS NULL
    ) AS failed
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask_investigator AS tm_s
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
    AND eventName = 'ConsoleLogin'
), per_ip AS (
  SELECT
    sourceIPAddress,
    COUNT(*) FILTER(WHERE
      failed) AS failures,
    COUNT(DISTINCT principal) FILTER(WHERE
      failed) AS users_tried,
    MIN(eventTime) FILTER(WHERE
      failed) AS first_failure,
    MAX(eventTime) FILTER(WHERE
      failed) AS last_failure,
    ARRAY_AGG(eventTime) FILTER(WHERE
      NOT failed) AS success_times
  FROM logins
  GROUP BY
    sourceIPAddress
)
SELECT
  sourceIPAddress,
  failures,
  users_tried,
  first_failure,
  last_failure,
  CARDINALITY(FILTER(COALESCE(success_times, ARRAY[]), t -> t > first_failure)) AS successes_after_failure
FROM per_ip
WHERE
  failures >= ?
ORDER BY
  failures DESC,
  sourceIPAddress
