-- runbook admin-policy-attached: Administrator rights granted
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  eventTime,
  eventName,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.userName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.userName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.roleName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.roleName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.groupName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.groupName'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.policyArn'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.policyArn'))
    )
  ) AS granted_to,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.policyArn'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.policyArn'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.policyName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.policyName'))
    )
  ) AS policy,
  userIdentity.arn AS principal_arn,
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
  AND (
    (
      eventName IN ('AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy')
      AND ENDS_WITH(
        COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.policyArn'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.policyArn'))
        ),
        ':policy/AdministratorAccess'
      )
    )
    OR (
      eventName IN ('PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy', 'CreatePolicyVersion')
      AND REGEXP_LIKE(
        (
          COALESCE(
            JSON_EXTRACT_SCALAR(requestParameters, '$.policyDocument'),
            JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.policyDocument'))
          )
        ),
        '"Effect"\s*:\s*"Allow"'
      )
      AND REGEXP_LIKE(
        (
          COALESCE(
            JSON_EXTRACT_SCALAR(requestParameters, '$.policyDocument'),
            JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.policyDocument'))
          )
        ),
        '"Action"\s*:\s*\[?\s*"\*"'
      )
      AND REGEXP_LIKE(
        (
          COALESCE(
            JSON_EXTRACT_SCALAR(requestParameters, '$.policyDocument'),
            JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.policyDocument'))
          )
        ),
        '"Resource"\s*:\s*\[?\s*"\*"'
      )
    )
  )
ORDER BY
  eventTime,
  eventID
