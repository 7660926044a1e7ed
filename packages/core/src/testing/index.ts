export { type CloseReport, compareClose } from './allclose.js';
export { type BackendContractOptions, describeBackendContract } from './contract.js';
