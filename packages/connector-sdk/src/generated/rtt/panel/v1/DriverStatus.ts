// Original file: proto/rtt/v1/panel.proto


export interface DriverStatus {
  /**
   * The connector's name, e.g. "process".
   */
  'name'?: (string);
  /**
   * The driver process's id (0 while it is restarting).
   */
  'pid'?: (number);
  /**
   * Restarts since the panel started it.
   */
  'restarts'?: (number);
}

export interface DriverStatus__Output {
  /**
   * The connector's name, e.g. "process".
   */
  'name': (string);
  /**
   * The driver process's id (0 while it is restarting).
   */
  'pid': (number);
  /**
   * Restarts since the panel started it.
   */
  'restarts': (number);
}
