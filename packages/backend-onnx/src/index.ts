export { loadNativeBinding, ONNXRUNTIME_VERSION } from './native.js';
export {
  createOnnxBackend,
  createOnnxBackendSync,
  type OnnxBackend,
  type OnnxBackendOptions,
  type OnnxStats,
  OnnxTensor,
} from './onnx-backend.js';
export { ONNX_PRIORITY, registerOnnxBackend } from './register.js';
