// Original file: proto/rtt/v1/panel.proto


export interface ScanResult {
  /**
   * Whether the panel watches its scan roots; false: report_json is empty.
   */
  'watching'?: (boolean);
  /**
   * The report as `rtt scan --json` prints it (its duration: the panel's last rescan).
   */
  'report_json'?: (string);
}

export interface ScanResult__Output {
  /**
   * Whether the panel watches its scan roots; false: report_json is empty.
   */
  'watching': (boolean);
  /**
   * The report as `rtt scan --json` prints it (its duration: the panel's last rescan).
   */
  'report_json': (string);
}
