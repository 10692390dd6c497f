/** USB mining hardware (ASIC sticks and rigs) recognised by ID and by manufacturer/product strings in sysfs. */
package io.assay.agent.hardware.usb;
