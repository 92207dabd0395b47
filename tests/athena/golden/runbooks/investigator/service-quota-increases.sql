-- runbook service-quota-increases: Service quota increases requested
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $watched_services
SELECT
  eventTime,
  awsRegion,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.serviceCode'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.serviceCode'))
  ) AS service_code,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.quotaCode'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.quotaCode'))
  ) AS quota_code,
  TRY_CAST(COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.desiredValue'),
    JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.desiredValue'))
  ) AS DOUBLE) AS desired_value,
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
  AND eventSource = 'servicequotas.amazonaws.com'
  AND eventName = 'RequestServiceQuotaIncrease'
  AND CONTAINS(
    ?,
    (
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.serviceCode'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.serviceCode'))
      )
    )
  )
ORDER BY
  eventTime,
  eventID
