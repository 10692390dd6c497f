/** AMD GPUs through amdgpu's sysfs files. */
package io.assay.agent.hardware.amd;
