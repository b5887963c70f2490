// Original file: proto/rtt/v1/panel.proto


export interface AuditQuery {
  /**
   * Only the records of this route; empty: all.
   */
  'route'?: (string);
  /**
   * At most this many of the newest matching records before following; 0: all of them.
   */
  'limit'?: (number);
  /**
   * After the existing records, keep streaming new ones as they are appended.
   */
  'follow'?: (boolean);
}

export interface AuditQuery__Output {
  /**
   * Only the records of this route; empty: all.
   */
  'route': (string);
  /**
   * At most this many of the newest matching records before following; 0: all of them.
   */
  'limit': (number);
  /**
   * After the existing records, keep streaming new ones as they are appended.
   */
  'follow': (boolean);
}
