// Original file: proto/rtt/v1/panel.proto


export interface PlanRequest {
}

export interface PlanRequest__Output {
}
