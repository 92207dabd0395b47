-- runbook access-removal: Other users' access removed (passwords, keys, policies, MFA)
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $min_targets
WITH removals AS (
  SELECT
    eventTime,
    eventName,
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.userName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.userName'))
    ) AS target_user,
    userIdentity.arn AS principal_arn,
    sourceIPAddress,
    errorCode,
    eventID
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
    AND eventSource = 'iam.amazonaws.com'
    AND (
      eventName IN (
        'DeleteLoginProfile',
        'UpdateLoginProfile',
        'DeleteAccessKey',
        'DeactivateMFADevice',
        'DetachUserPolicy',
        'DeleteUserPolicy',
        'RemoveUserFromGroup',
        'DeleteUser'
      )
      OR (
        eventName = 'UpdateAccessKey'
        AND (
          COALESCE(
            JSON_EXTRACT_SCALAR(requestParameters, '$.status'),
            JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.status'))
          )
        ) = 'Inactive'
      )
    )
    AND NOT (
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
    ) IS DISTINCT FROM userIdentity.userName
), affected AS (
  SELECT
    principal_arn,
    COUNT(DISTINCT target_user) AS users_affected
  FROM removals
  GROUP BY
    principal_arn
)
SELECT
  r.eventTime,
  r.eventName,
  r.target_user,
  r.principal_arn,
  a.users_affected,
  r.sourceIPAddress,
  r.errorCode,
  r.eventID
FROM removals AS r
JOIN affected AS a
  ON r.principal_arn IS NOT DISTINCT FROM a.principal_arn
WHERE
  a.users_affected >= ?
ORDER BY
  r.eventTime,
  r.eventID
