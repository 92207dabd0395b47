-- runbook network-logging-disabled: Network logging deleted (VPC flow logs, DNS query logs)
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  eventTime,
  eventSource,
  eventName,
  awsRegion,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  CAST(requestParameters AS VARCHAR) AS request_parameters,
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
  AND errorCode IS NULL
  AND (
    (
      eventSource = 'ec2.amazonaws.com' AND eventName = 'DeleteFlowLogs'
    )
    OR (
      eventSource = 'route53resolver.amazonaws.com'
      AND eventName IN ('DeleteResolverQueryLogConfig', 'DisassociateResolverQueryLogConfig')
    )
    OR (
      eventSource = 'route53.amazonaws.com' AND eventName = 'DeleteQueryLoggingConfig'
    )
  )
ORDER BY
  eventTime,
  eventID
