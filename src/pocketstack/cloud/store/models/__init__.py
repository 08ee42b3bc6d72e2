"""Table models. Importing this package registers every table on `Base.metadata`."""

from pocketstack.cloud.store.models import aggregate as aggregate
from pocketstack.cloud.store.models import application_credential as application_credential
from pocketstack.cloud.store.models import compute, identity, image
from pocketstack.cloud.store.models import credential as credential
from pocketstack.cloud.store.models import dashboard as dashboard
from pocketstack.cloud.store.models import fault_controls as fault_controls
from pocketstack.cloud.store.models import fleet as fleet
from pocketstack.cloud.store.models import identity_catalog as identity_catalog
from pocketstack.cloud.store.models import identity_roles as identity_roles
from pocketstack.cloud.store.models import image_member as image_member
from pocketstack.cloud.store.models import instance_action as instance_action
from pocketstack.cloud.store.models import metadef as metadef
from pocketstack.cloud.store.models import network as network
from pocketstack.cloud.store.models import network_agent as network_agent
from pocketstack.cloud.store.models import network_extra as network_extra
from pocketstack.cloud.store.models import network_l3 as network_l3
from pocketstack.cloud.store.models import network_metering as network_metering
from pocketstack.cloud.store.models import network_port as network_port
from pocketstack.cloud.store.models import network_quota as network_quota
from pocketstack.cloud.store.models import network_security as network_security
from pocketstack.cloud.store.models import network_subnetpool as network_subnetpool
from pocketstack.cloud.store.models import oauth1 as oauth1
from pocketstack.cloud.store.models import quota as quota
from pocketstack.cloud.store.models import server_group as server_group
from pocketstack.cloud.store.models import trust as trust

__all__ = ["compute", "identity", "image"]
