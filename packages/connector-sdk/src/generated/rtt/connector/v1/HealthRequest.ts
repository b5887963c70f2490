// Original file: proto/rtt/v1/connector.proto


export interface HealthRequest {
  /**
   * One link, or empty for every link plus a driver-level sample (link_id "").
   */
  'link_id'?: (string);
  /**
   * Milliseconds between samples; 0 = the driver's heartbeat interval.
   */
  'interval_ms'?: (number);
}

export interface HealthRequest__Output {
  /**
   * One link, or empty for every link plus a driver-level sample (link_id "").
   */
  'link_id': (string);
  /**
   * Milliseconds between samples; 0 = the driver's heartbeat interval.
   */
  'interval_ms': (number);
}
