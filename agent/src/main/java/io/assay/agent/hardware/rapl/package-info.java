/** CPU package and DRAM energy from RAPL through the powercap sysfs interface. */
package io.assay.agent.hardware.rapl;
