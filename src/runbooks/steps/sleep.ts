// The steps' sleep lives in support/, where the Kubernetes client uses it too.
export { abortReason, sleep } from '../../support/sleep.ts';
