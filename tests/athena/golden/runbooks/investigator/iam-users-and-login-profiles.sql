-- runbook iam-users-and-login-profiles: IAM users created and console passwords set
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $only_for_other_users
WITH changes AS (
  SELECT
    eventTime,
    eventName,
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.userName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.userName'))
    ) AS user_name,
    userIdentity.arn AS principal_arn,
    (
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.userName'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.userName'))
      )
    ) IS DISTINCT FROM ELEMENT_AT(SPLIT(userIdentity.arn, '/'), -1) AS for_other_user,
    (
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.passwordResetRequired'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.passwordResetRequired'))
      )
    ) = 'true' AS password_reset_required,
    sourceIPAddress,
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
    AND errorCode IS NULL
    AND eventName IN ('CreateUser', 'CreateLoginProfile', 'UpdateLoginProfile')
)
SELECT
  eventTime,
  eventName,
  user_name,
  principal_arn,
  for_other_user,
  COALESCE(password_reset_required, FALSE) AS password_reset_required,
  sourceIPAddress,
  eventID
FROM changes
WHERE
  NOT ? OR for_other_user
ORDER BY
  eventTime,
  eventID
