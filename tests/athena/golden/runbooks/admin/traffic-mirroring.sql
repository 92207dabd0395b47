-- runbook traffic-mirroring: VPC traffic mirroring set up
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  eventTime,
  eventName,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.CreateTrafficMirrorSessionRequest.NetworkInterfaceId'),
      JSON_FORMAT(
        JSON_EXTRACT(requestParameters, '$.CreateTrafficMirrorSessionRequest.NetworkInterfaceId')
      )
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.CreateTrafficMirrorTargetRequest.NetworkInterfaceId'),
      JSON_FORMAT(
        JSON_EXTRACT(requestParameters, '$.CreateTrafficMirrorTargetRequest.NetworkInterfaceId')
      )
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.CreateTrafficMirrorTargetRequest.NetworkLoadBalancerArn'),
      JSON_FORMAT(
        JSON_EXTRACT(requestParameters, '$.CreateTrafficMirrorTargetRequest.NetworkLoadBalancerArn')
      )
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.ModifyTrafficMirrorSessionRequest.TrafficMirrorSessionId'),
      JSON_FORMAT(
        JSON_EXTRACT(requestParameters, '$.ModifyTrafficMirrorSessionRequest.TrafficMirrorSessionId')
      )
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.CreateTrafficMirrorFilterRuleRequest.TrafficMirrorFilterId'),
      JSON_FORMAT(
        JSON_EXTRACT(requestParameters, '$.CreateTrafficMirrorFilterRuleRequest.TrafficMirrorFilterId')
      )
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.DeleteTrafficMirrorSessionRequest.TrafficMirrorSessionId'),
      JSON_FORMAT(
        JSON_EXTRACT(requestParameters, '$.DeleteTrafficMirrorSessionRequest.TrafficMirrorSessionId')
      )
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.DeleteTrafficMirrorTargetRequest.TrafficMirrorTargetId'),
      JSON_FORMAT(
        JSON_EXTRACT(requestParameters, '$.DeleteTrafficMirrorTargetRequest.TrafficMirrorTargetId')
      )
    )
  ) AS resource,
  COALESCE(
    JSON_EXTRACT_SCALAR(requestParameters, '$.CreateTrafficMirrorSessionRequest.TrafficMirrorTargetId'),
    JSON_FORMAT(
      JSON_EXTRACT(requestParameters, '$.CreateTrafficMirrorSessionRequest.TrafficMirrorTargetId')
    )
  ) AS target_id,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  errorCode,
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
  AND eventSource = 'ec2.amazonaws.com'
  AND eventName IN (
    'CreateTrafficMirrorSession',
    'CreateTrafficMirrorTarget',
    'CreateTrafficMirrorFilter',
    'CreateTrafficMirrorFilterRule',
    'ModifyTrafficMirrorSession',
    'DeleteTrafficMirrorSession',
    'DeleteTrafficMirrorTarget'
  )
ORDER BY
  eventTime,
  eventID
