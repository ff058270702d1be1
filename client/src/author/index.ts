// The author toolkit behind `wharf plugin init|build|test|submit`, for tools that script it.
export { type BuildResult, buildProject, readProjectManifest } from './build-project.js';
export { type InitOptions, type InitResult, initProject, LANGS } from './init-project.js';
export { type ProjectKeyResult, setProjectKey } from './project-key.js';
export { checkRelease, type SubmitOptions, type SubmitReport, submissionFormUrl } from './submit-release.js';
export { type ExportRun, type PluginTestReport, type TestOptions, testPlugin, testProject } from './test-project.js';
export { type PluginLang, TOOL_PACKAGES } from './toolchain.js';
