// Original file: proto/rtt/v1/panel.proto


export interface ScanRequest {
}

export interface ScanRequest__Output {
}
