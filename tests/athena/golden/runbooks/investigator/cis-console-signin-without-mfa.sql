-- runbook cis-console-signin-without-mfa: Console sign-in without MFA (CIS 4.2)
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $variant
SELECT
  eventTime,
  userIdentity.type AS principal_type,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  userAgent,
  COALESCE(
    JSON_EXTRACT_SCALAR(responseElements, '$.ConsoleLogin'),
    JSON_FORMAT(JSON_EXTRACT(responseElements, '$.ConsoleLogin'))
  ) AS login_result,
  COALESCE(
    JSON_EXTRACT_SCALAR(additionalEventData, '$.MFAUsed'),
    JSON_FORMAT(JSON_EXTRACT(additionalEventData, '$.MFAUsed'))
  ) AS mfa_used,
  recipientAccountId,
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
  AND eventName = 'ConsoleLogin'
  AND (
    COALESCE(
      JSON_EXTRACT_SCALAR(additionalEventData, '$.MFAUsed'),
      JSON_FORMAT(JSON_EXTRACT(additionalEventData, '$.MFAUsed'))
    )
  ) IS DISTINCT FROM 'Yes'
  AND (
    ? = 'cis'
    OR (
      userIdentity.type = 'IAMUser'
      AND (
        COALESCE(
          JSON_EXTRACT_SCALAR(responseElements, '$.ConsoleLogin'),
          JSON_FORMAT(JSON_EXTRACT(responseElements, '$.ConsoleLogin'))
        )
      ) = 'Success'
    )
  )
ORDER BY
  eventTime,
  eventID
