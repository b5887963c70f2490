// Original file: proto/rtt/v1/connector.proto


export interface TxResponse {
}

export interface TxResponse__Output {
}
