import { describeBackendContract } from '@deepbelief/core/testing';
import { createOnnxBackend } from './onnx-backend.js';

// Default settings: deferred ops, fused once a sequence repeats.
describeBackendContract('onnx', () => createOnnxBackend());
// Every sequence fused at once, and every op alone: both lowerings meet the contract.
describeBackendContract('onnx (always fused)', () => createOnnxBackend({ fuseAfter: 1 }));
describeBackendContract('onnx (no fusion)', () => createOnnxBackend({ fusion: false }));
