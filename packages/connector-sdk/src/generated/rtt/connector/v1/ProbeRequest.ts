// Original file: proto/rtt/v1/connector.proto


export interface ProbeRequest {
  /**
   * Absolute path of the folder to look in (the workspace root, or a part of it).
   */
  'root'?: (string);
}

export interface ProbeRequest__Output {
  /**
   * Absolute path of the folder to look in (the workspace root, or a part of it).
   */
  'root': (string);
}
