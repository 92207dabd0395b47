-- runbook bedrock-model-use: Bedrock model invocations and model-access changes by principal (LLM hijacking)
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $known_principals, 6: $min_calls
WITH calls AS (
  SELECT
    eventTime,
    eventName,
    userIdentity.arn AS principal_arn,
    sourceIPAddress,
    errorCode,
    COALESCE(
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.modelId'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.modelId'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.modelIdentifier'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.modelIdentifier'))
      )
    ) AS model_id
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
    AND eventSource = 'bedrock.amazonaws.com'
    AND eventName IN (
      'InvokeModel',
      'InvokeModelWithResponseStream',
      'Converse',
      'ConverseStream',
      'PutUseCaseForModelAccess',
      'CreateFoundationModelAgreement',
      'PutFoundationModelEntitlement',
      'DeleteModelInvocationLoggingConfiguration'
    )
    AND NOT COALESCE(CONTAINS(?, userIdentity.arn), FALSE)
)
SELECT
  principal_arn,
  COUNT(*) FILTER(WHERE
    eventName IN ('InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream')) AS invocations,
  COUNT(*) FILTER(WHERE
    NOT errorCode IS NULL) AS failed,
  COUNT(DISTINCT model_id) AS models,
  COUNT(*) FILTER(WHERE
    eventName IN (
      'PutUseCaseForModelAccess',
      'CreateFoundationModelAgreement',
      'PutFoundationModelEntitlement'
    )) AS access_changes,
  COUNT(*) FILTER(WHERE
    eventName = 'DeleteModelInvocationLoggingConfiguration') AS logging_deleted,
  COUNT(DISTINCT sourceIPAddress) AS source_ips,
  MIN(eventTime) AS first_seen,
  MAX(eventTime) AS last_seen
FROM calls
GROUP BY
  principal_arn
HAVING
  COUNT(*) >= ?
ORDER BY
  invocations DESC,
  principal_arn
