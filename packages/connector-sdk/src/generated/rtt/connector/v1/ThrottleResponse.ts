// Original file: proto/rtt/v1/connector.proto


export interface ThrottleResponse {
}

export interface ThrottleResponse__Output {
}
