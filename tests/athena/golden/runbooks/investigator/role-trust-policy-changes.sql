-- runbook role-trust-policy-changes: Who may assume a role (trust policies created or changed)
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $only_risky
WITH changes AS (
  SELECT
    eventTime,
    eventName,
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.roleName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.roleName'))
    ) AS role_name,
    recipientAccountId,
    COALESCE(
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.policyDocument'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.policyDocument'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.assumeRolePolicyDocument'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.assumeRolePolicyDocument'))
      )
    ) AS trust_policy,
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
    AND eventName IN ('CreateRole', 'UpdateAssumeRolePolicy')
), judged AS (
  SELECT
    *,
    COALESCE(REGEXP_LIKE(trust_policy, '"Principal"\s*:\s*"\*"|"AWS"\s*:\s*\[?\s*"\*"'), FALSE) AS any_principal,
    ARRAY_SORT(
      ARRAY_DISTINCT(
        FILTER(
          REGEXP_EXTRACT_ALL(COALESCE(trust_policy, ''), '[0-9]{12}'),
          a -> a IS DISTINCT FROM recipientAccountId
        )
      )
    ) AS external_accounts
  FROM changes
)
SELECT
  eventTime,
  eventName,
  role_name,
  any_principal,
  external_accounts,
  trust_policy,
  principal_arn,
  sourceIPAddress,
  eventID
FROM judged
WHERE
  NOT ?
  OR any_principal
  OR CARDINALITY(external_accounts) > 0
ORDER BY
  eventTime,
  eventID
