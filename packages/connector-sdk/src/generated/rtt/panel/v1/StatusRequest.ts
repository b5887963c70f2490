// Original file: proto/rtt/v1/panel.proto


export interface StatusRequest {
}

export interface StatusRequest__Output {
}
