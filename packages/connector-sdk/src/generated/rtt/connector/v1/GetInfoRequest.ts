// Original file: proto/rtt/v1/connector.proto


export interface GetInfoRequest {
}

export interface GetInfoRequest__Output {
}
