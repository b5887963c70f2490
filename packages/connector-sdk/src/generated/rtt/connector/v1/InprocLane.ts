// Original file: proto/rtt/v1/connector.proto


export interface InprocLane {
  /**
   * The in-process lane's id.
   */
  'id'?: (string);
}

export interface InprocLane__Output {
  /**
   * The in-process lane's id.
   */
  'id': (string);
}
