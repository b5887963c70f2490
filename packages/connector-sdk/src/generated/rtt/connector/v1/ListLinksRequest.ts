// Original file: proto/rtt/v1/connector.proto


export interface ListLinksRequest {
}

export interface ListLinksRequest__Output {
}
