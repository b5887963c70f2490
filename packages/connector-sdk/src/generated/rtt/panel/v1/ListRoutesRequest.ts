// Original file: proto/rtt/v1/panel.proto


export interface ListRoutesRequest {
}

export interface ListRoutesRequest__Output {
}
