package io.github.mqttsession.apps.plain;

import org.springframework.data.jpa.repository.JpaRepository;

/** A Spring Data repository of the application's own. */
public interface DeviceRepository extends JpaRepository<Device, Long> {

}
