package io.github.mqttsession.apps.scanned.model;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;

/** An entity found only through the application's {@code @EntityScan}. */
@Entity
public class Sensor {

	@Id
	@GeneratedValue
	private Long id;

	private String name;

	protected Sensor() {
	}

	public Sensor(String name) {
		this.name = name;
	}

	public String getName() {
		return this.name;
	}

}
