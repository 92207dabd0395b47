-- runbook access-keys-created: Access keys created, and their first use
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $start, 6: $start, 7: $end, 8: $end, 9: $only_for_other_users
WITH created AS (
  SELECT
    eventTime,
    userIdentity.type AS created_by_type,
    userIdentity.arn AS created_by,
    COALESCE(
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.userName'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.userName'))
      ),
      CASE WHEN userIdentity.type = 'Root' THEN 'root' ELSE userIdentity.userName END
    ) AS for_user,
    NOT (
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.userName'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.userName'))
      )
    ) IS NULL
    AND (
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.userName'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.userName'))
      )
    ) IS DISTINCT FROM ELEMENT_AT(SPLIT(userIdentity.arn, '/'), -1) AS for_other_user,
    userIdentity.type = 'Root'
    AND (
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.userName'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.userName'))
      )
    ) IS NULL AS root_key,
    COALESCE(
      JSON_EXTRACT_SCALAR(responseElements, '$.accessKey.accessKeyId'),
      JSON_FORMAT(JSON_EXTRACT(responseElements, '$.accessKey.accessKeyId'))
    ) AS new_access_key_id,
    sourceIPAddress,
    eventID
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
    AND eventSource = 'iam.amazonaws.com'
    AND eventName = 'CreateAccessKey'
    AND errorCode IS NULL
), usage AS (
  SELECT
    userIdentity.accessKeyId AS key_id,
    MIN(eventTime) AS first_used,
    COUNT(*) AS uses
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
    AND userIdentity.accessKeyId IN (
      SELECT
        new_access_key_id
      FROM created
    )
  GROUP BY
    1
)
SELECT
  c.eventTime,
  c.created_by,
  c.created_by_type,
  c.for_user,
  COALESCE(c.for_other_user, FALSE) AS for_other_user,
  c.root_key,
  c.new_access_key_id,
  u.first_used,
  COALESCE(u.uses, 0) AS uses,
  c.sourceIPAddress,
  c.eventID
FROM created AS c
LEFT JOIN usage AS u
  ON u.key_id = c.new_access_key_id
WHERE
  NOT ? OR COALESCE(c.for_other_user, FALSE)
ORDER BY
  c.eventTime,
  c.eventID
