// Operator channels: Telegram control and SMS alerts.
export const OPERATOR_SETTINGS = {};
